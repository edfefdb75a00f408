using System.Net;

namespace ZProxy.Proxy.Caching;

/// <summary>Matches a client address against an allow-list of addresses and CIDR ranges (PURGE, cache administration).</summary>
internal static class AddressAllowList
{
    private static readonly string[] Loopback = ["127.0.0.0/8", "::1/128"];

    /// <summary>True when <paramref name="address"/> is in <paramref name="entries"/> (loopback when empty).</summary>
    public static bool Allows(IReadOnlyCollection<string> entries, IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        if (entries.Count == 0)
        {
            entries = Loopback;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var entry in entries)
        {
            if (IPNetwork.TryParse(entry, out var network) ? network.Contains(address) : IPAddress.TryParse(entry, out var single) && single.Equals(address))
            {
                return true;
            }
        }

        return false;
    }
}
