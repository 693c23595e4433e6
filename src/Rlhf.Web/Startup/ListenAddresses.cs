using System.Net;
using System.Net.Sockets;
using Rlhf.Data.Database;

namespace Rlhf.Web.Startup;

/// <summary>
/// Where the site listens: the user's choice (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, the <c>Urls</c> setting, or
/// ports and endpoints set the ASP.NET Core ways), else <see cref="Default"/>. The launch profile names no address, so
/// <c>dotnet run</c> honours them too.
/// </summary>
public static class ListenAddresses
{
    public const string Default = "http://localhost:5040";

    /// <summary>Whether any setting names where to listen ("urls", "http_ports", "https_ports" or Kestrel endpoints).</summary>
    public static bool AreChosen(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["urls"])
        || !string.IsNullOrWhiteSpace(configuration["http_ports"])
        || !string.IsNullOrWhiteSpace(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();

    /// <summary>
    /// Before anything is written: throws a <see cref="StartupConfigurationException"/> naming the first address of
    /// "urls" that another program listens on, so a busy port is one line, not a stack trace after the database start.
    /// Kestrel still reports anything this does not foresee.
    /// </summary>
    public static void EnsureFree(IConfiguration configuration)
    {
        foreach (var url in (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            BindingAddress address;
            try { address = BindingAddress.Parse(url); }
            catch (FormatException) { continue; } // Kestrel says what is wrong with it
            if (address.IsUnixPipe || address.IsNamedPipe || address.Port == 0) continue;
            if (EndPoints(address).Any(InUse))
                throw new StartupConfigurationException(
                    $"{url} is in use by another program; stop it, or choose another address with --urls, ASPNETCORE_URLS or the Urls setting");
        }
    }

    /// <summary>What Kestrel binds for the address: both loopbacks for localhost, the IP itself, else every interface.</summary>
    private static IEnumerable<IPEndPoint> EndPoints(BindingAddress address)
    {
        if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            yield return new IPEndPoint(IPAddress.Loopback, address.Port);
            if (Socket.OSSupportsIPv6) yield return new IPEndPoint(IPAddress.IPv6Loopback, address.Port);
        }
        else if (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip)) yield return new IPEndPoint(ip, address.Port);
        else yield return new IPEndPoint(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, address.Port);
    }

    private static bool InUse(IPEndPoint endPoint)
    {
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endPoint.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
        try { socket.Bind(endPoint); return false; }
        catch (SocketException e) { return e.SocketErrorCode == SocketError.AddressAlreadyInUse; }
    }
}
