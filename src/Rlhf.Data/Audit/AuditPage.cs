using Rlhf.Core.Audit;

namespace Rlhf.Data.Audit;

public sealed record AuditPage(IReadOnlyList<AuditEvent> Items, int Total);
