using Rlhf.Data.Database;

namespace Rlhf.Web.Startup;

public static class StartupFailure
{
    /// <summary>The <see cref="StartupConfigurationException"/> inside an exception thrown while starting, if any.</summary>
    public static StartupConfigurationException? Find(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is StartupConfigurationException s) return s;
            if (ex is AggregateException agg)
                foreach (var inner in agg.InnerExceptions)
                    if (Find(inner) is { } found) return found;
        }
        return null;
    }
}
