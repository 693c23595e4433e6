using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Rlhf.Data.Database;

/// <summary>Marks every DateTime as UTC on its way to and from PostgreSQL's <c>timestamp with time zone</c>.</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : DateTime.SpecifyKind(v, DateTimeKind.Utc),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
