using System.Diagnostics;

namespace Rlhf.Browser.Tests;

/// <summary>
/// The site listens where the user says, by any of the ASP.NET Core ways (every other test passes <c>--urls</c>).
/// The real site as a process; no browser.
/// </summary>
public class SiteAddressTests
{
    /// <summary>The site with its address in an environment variable instead of on the command line.</summary>
    private sealed class SiteAddressedBy(string variable) : SiteProcess
    {
        protected override void PassAddress(ProcessStartInfo psi, string address) => psi.Environment[variable] = address;
    }

    [Theory]
    [InlineData("ASPNETCORE_URLS")]
    [InlineData("Urls")] // the setting, as appsettings.json's "Urls" or this environment variable names it
    public async Task The_site_listens_on_the_address_the_environment_names(string variable)
    {
        var site = new SiteAddressedBy(variable);
        try
        {
            await site.InitializeAsync(); // returns once /healthz answers on the address
            Assert.Contains($"Now listening on: {site.BaseAddress.ToString().TrimEnd('/')}", site.Log);
        }
        finally { await site.DisposeAsync(); }
    }
}
