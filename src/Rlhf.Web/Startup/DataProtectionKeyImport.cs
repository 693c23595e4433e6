using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Rlhf.Data;

namespace Rlhf.Web.Startup;

/// <summary>
/// The data-protection key ring moved from the <c>keys/</c> folder beside the database into the database itself, so
/// that every site instance on one database shares it. On the first start after that upgrade the folder's keys are
/// copied in, so sign-in cookies and antiforgery tokens issued before the upgrade stay valid. The folder is left as it is.
/// </summary>
public static class DataProtectionKeyImport
{
    /// <summary>Copies the folder's <c>key-*.xml</c> files into an empty key table; returns how many it copied.</summary>
    public static async Task<int> ImportAsync(RlhfDbContext db, string folder, CancellationToken ct)
    {
        if (!Directory.Exists(folder) || await db.DataProtectionKeys.AnyAsync(ct)) return 0;
        var files = Directory.GetFiles(folder, "key-*.xml").Order(StringComparer.Ordinal).ToList();
        foreach (var file in files)
        {
            var xml = XElement.Parse(await File.ReadAllTextAsync(file, ct)); // a damaged file stops start-up with its parse error
            db.DataProtectionKeys.Add(new DataProtectionKey
            {
                FriendlyName = Path.GetFileNameWithoutExtension(file),
                Xml = xml.ToString(SaveOptions.DisableFormatting),
            });
        }
        await db.SaveChangesAsync(ct);
        return files.Count;
    }
}
