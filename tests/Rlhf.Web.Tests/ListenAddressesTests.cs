using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Rlhf.Data.Hosting;
using Rlhf.Web.Startup;

namespace Rlhf.Web.Tests;

/// <summary>The address is the user's: any of the ASP.NET Core ways to name one wins over the default.</summary>
public class ListenAddressesTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build();

    [Fact]
    public void The_default_applies_only_when_no_setting_names_an_address()
    {
        Assert.False(ListenAddresses.AreChosen(Settings()));
        Assert.True(ListenAddresses.AreChosen(Settings(("Urls", "http://127.0.0.1:6000"))));
        Assert.True(ListenAddresses.AreChosen(Settings(("HTTP_PORTS", "8080"))));
        Assert.True(ListenAddresses.AreChosen(Settings(("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:6001"))));
    }

    [Fact]
    public void The_launch_profile_names_no_address_so_dotnet_run_honours_the_users()
    {
        var path = Path.Combine(ContentRootLocator.FindRepositoryRoot(AppContext.BaseDirectory)!, "src", "Rlhf.Web", "Properties", "launchSettings.json");
        var profiles = JsonNode.Parse(File.ReadAllText(path))!["profiles"]!.AsObject();
        Assert.All(profiles, p => Assert.Null(p.Value!["applicationUrl"]));
    }
}
