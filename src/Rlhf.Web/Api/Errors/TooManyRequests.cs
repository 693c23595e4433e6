using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Rlhf.Web.Api.Errors;

/// <summary>The rate limiter's refusal: 429 problem details with Retry-After (whole seconds until the window frees a call).</summary>
public static class TooManyRequests
{
    public static ValueTask WriteAsync(OnRejectedContext context, int perMinute)
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 60;
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return new ValueTask(Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
            detail: $"At most {perMinute} API calls a minute; try again in {seconds} s.").ExecuteAsync(context.HttpContext));
    }
}
