using System.Net;
using System.Net.Sockets;

namespace Bridgekeeper.Proxy;

/// <summary>
/// The special-use addresses (IANA's IPv4 and IPv6 special-purpose registries) that a blind tunnel must not reach:
/// the gateway's own host, its private networks and the cloud metadata service, whatever name a client asks for.
/// IPv6 forms that reach an IPv4 address (mapped, NAT64, 6to4) are judged by that address.
/// </summary>
internal static class SpecialAddresses
{
    /// <summary>In order: a more specific range comes before the range that holds it, so it gives its own reason.</summary>
    private static readonly (IPNetwork Network, string Reason)[] Ranges =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "this-network"),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "cgnat"),               // shared address space (RFC 6598)
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.169.254/32"), "metadata"),       // AWS, GCP, Azure, …
        (IPNetwork.Parse("169.254.0.0/16"), "link-local"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.0.0.0/24"), "reserved"),             // IETF protocol assignments
        (IPNetwork.Parse("192.0.2.0/24"), "documentation"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking"),
        (IPNetwork.Parse("198.51.100.0/24"), "documentation"),
        (IPNetwork.Parse("203.0.113.0/24"), "documentation"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("255.255.255.255/32"), "broadcast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"),
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("100::/64"), "discard"),
        (IPNetwork.Parse("2001::/32"), "teredo"),
        (IPNetwork.Parse("2001:2::/48"), "benchmarking"),
        (IPNetwork.Parse("2001::/23"), "reserved"),                // IETF protocol assignments
        (IPNetwork.Parse("2001:db8::/32"), "documentation"),
        (IPNetwork.Parse("3fff::/20"), "documentation"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "private"),            // local-use NAT64 (RFC 8215)
        (IPNetwork.Parse("fd00:ec2::254/128"), "metadata"),        // AWS's IPv6 instance metadata
        (IPNetwork.Parse("fc00::/7"), "private"),                  // unique local
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    /// <summary>
    /// IANA's global unicast space: every IPv6 address outside it and not named above is reserved; among them the
    /// deprecated IPv4-compatible ::a.b.c.d, which nothing routes (it is refused whatever IPv4 address it holds).
    /// </summary>
    private static readonly IPNetwork GlobalUnicast = IPNetwork.Parse("2000::/3");

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");   // 64:ff9b::a.b.c.d
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");  // 2002:aabb:ccdd::/48

    /// <summary>
    /// Why a tunnel must not go to <paramref name="address"/>: a short word ("loopback", "private", "link-local",
    /// "metadata", "multicast", "reserved", …) to log and to tell the client; or null when it may, because the address
    /// is public or inside one of the operator's <paramref name="allowed"/> networks.
    /// </summary>
    public static string? Refusal(IPAddress address, IReadOnlyList<IPNetwork> allowed)
    {
        if (allowed.Any(network => network.Contains(address)))
            return null;
        if (address.IsIPv4MappedToIPv6)
            return Refusal(address.MapToIPv4(), allowed);
        foreach (var (network, reason) in Ranges)
            if (network.Contains(address))
                return reason;
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return null;
        if (Nat64.Contains(address))
            return Refusal(Embedded(address, 12), allowed);
        if (SixToFour.Contains(address))
            return Refusal(Embedded(address, 2), allowed);
        return GlobalUnicast.Contains(address) ? null : "reserved";
    }

    /// <summary>The IPv4 address in bytes <paramref name="offset"/> to <paramref name="offset"/> + 3 of an IPv6 address.</summary>
    private static IPAddress Embedded(IPAddress address, int offset) => new(address.GetAddressBytes().AsSpan(offset, 4));
}
