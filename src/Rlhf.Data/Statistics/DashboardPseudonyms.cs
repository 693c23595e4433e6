using Rlhf.Data.Exchange;

namespace Rlhf.Data.Statistics;

/// <summary>The dashboard as researchers see it: each rater as the pseudonym the project's exports use, no user id or e-mail.</summary>
public static class DashboardPseudonyms
{
    public static ProjectDashboard WithPseudonyms(this ProjectDashboard dashboard, RaterPseudonyms pseudonyms, int projectId) => dashboard with
    {
        Raters = dashboard.Raters.Select(r => r with { RaterId = pseudonyms.For(projectId, r.RaterId), Email = null }).ToList(),
        SkipRows = dashboard.SkipRows.Select(s => s with { RaterId = pseudonyms.For(projectId, s.RaterId), Email = null }).ToList(),
    };
}
