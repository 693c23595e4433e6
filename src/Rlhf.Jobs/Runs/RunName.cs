using Microsoft.EntityFrameworkCore;
using Rlhf.Data;

namespace Rlhf.Jobs.Runs;

/// <summary>A run's name becomes its model's name in the registry, so it must be free when the run is queued.</summary>
public static class RunName
{
    /// <summary>Null when no model is named <paramref name="name"/> (trimmed); otherwise the sentence for the user.</summary>
    public static async Task<string?> TakenAsync(RlhfDbContext db, string name, CancellationToken ct) =>
        await db.Models.AnyAsync(m => m.Name == name.Trim(), ct) ? $"A model named '{name.Trim()}' already exists; name the run differently." : null;
}
