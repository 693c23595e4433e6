using Microsoft.AspNetCore.Connections;
using Rlhf.Data.Database;
using Rlhf.Web;
using Rlhf.Web.Startup;

try
{
    var app = RlhfWebApplication.Build(args);
    ListenAddresses.EnsureFree(app.Configuration);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupFailure.Find(ex) is { } failure)
{
    // One clear line that names the setting; nothing was written to the database.
    Console.Error.WriteLine($"rlhf: cannot start: {failure.Message}");
    return 1;
}
catch (IOException ex) when (ex.InnerException is AddressInUseException)
{
    // Taken between ListenAddresses.EnsureFree and Kestrel's bind.
    Console.Error.WriteLine($"rlhf: cannot start: {ex.Message} Choose another address with --urls, ASPNETCORE_URLS or the Urls setting.");
    return 1;
}

/// <summary>The site's entry point, public for WebApplicationFactory.</summary>
public partial class Program;
