using System.Net;
using Bridgekeeper.Proxy;

namespace Bridgekeeper.Tests.Proxy;

public sealed class SpecialAddressesTests
{
    /// <summary>Each range with addresses at its edges, and the addresses just outside it (null: a tunnel may go there).</summary>
    public static TheoryData<string, string?> Addresses => new()
    {
        { "0.0.0.0", "this-network" }, { "0.255.255.255", "this-network" }, { "1.0.0.0", null },
        { "10.0.0.0", "private" }, { "10.255.255.255", "private" }, { "9.255.255.255", null }, { "11.0.0.0", null },
        { "100.64.0.0", "cgnat" }, { "100.127.255.255", "cgnat" }, { "100.63.255.255", null }, { "100.128.0.0", null },
        { "127.0.0.1", "loopback" }, { "127.255.255.255", "loopback" }, { "126.255.255.255", null }, { "128.0.0.0", null },
        { "169.254.169.254", "metadata" }, { "169.254.169.253", "link-local" }, { "169.254.0.0", "link-local" },
        { "169.254.255.255", "link-local" }, { "169.253.255.255", null }, { "169.255.0.0", null },
        { "172.16.0.0", "private" }, { "172.31.255.255", "private" }, { "172.15.255.255", null }, { "172.32.0.0", null },
        { "192.0.0.0", "reserved" }, { "192.0.0.255", "reserved" }, { "191.255.255.255", null },
        { "192.0.2.0", "documentation" }, { "192.0.2.255", "documentation" }, { "192.0.1.255", null }, { "192.0.3.0", null },
        { "192.168.0.0", "private" }, { "192.168.255.255", "private" }, { "192.167.255.255", null }, { "192.169.0.0", null },
        { "198.18.0.0", "benchmarking" }, { "198.19.255.255", "benchmarking" }, { "198.17.255.255", null }, { "198.20.0.0", null },
        { "198.51.100.0", "documentation" }, { "198.51.100.255", "documentation" }, { "198.51.99.255", null }, { "198.51.101.0", null },
        { "203.0.113.0", "documentation" }, { "203.0.113.255", "documentation" }, { "203.0.112.255", null }, { "203.0.114.0", null },
        { "224.0.0.0", "multicast" }, { "239.255.255.255", "multicast" }, { "223.255.255.255", null },
        { "240.0.0.0", "reserved" }, { "255.255.255.254", "reserved" }, { "255.255.255.255", "broadcast" },
        { "8.8.8.8", null }, { "160.79.104.10", null },
        { "::", "unspecified" }, { "::1", "loopback" }, { "::2", "reserved" },
        { "::127.0.0.1", "reserved" }, { "::8.8.8.8", "reserved" },   // IPv4-compatible: deprecated, refused whatever it holds
        { "100::", "discard" }, { "100::ffff:ffff:ffff:ffff", "discard" }, { "100:0:0:1::", "reserved" },
        { "2001::", "teredo" }, { "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", "teredo" }, { "2001:1::1", "reserved" },
        { "2001:2::", "benchmarking" }, { "2001:2:0:ffff::", "benchmarking" }, { "2001:1ff:ffff::", "reserved" }, { "2001:200::1", null },
        { "2001:db8::", "documentation" }, { "2001:db8:ffff:ffff::1", "documentation" }, { "2001:db7:ffff::", null }, { "2001:db9::", null },
        { "3fff::", "documentation" }, { "3fff:fff:ffff::", "documentation" }, { "3fff:1000::", null },
        { "fc00::", "private" }, { "fdff:ffff:ffff::1", "private" }, { "fbff:ffff::1", "reserved" },
        { "fd00:ec2::254", "metadata" }, { "fd00:ec2::253", "private" },
        { "fe80::", "link-local" }, { "febf:ffff::1", "link-local" }, { "fe7f:ffff::1", "reserved" }, { "fec0::1", "reserved" },
        { "fe80::1%2", "link-local" },
        { "ff00::", "multicast" }, { "ff02::1", "multicast" }, { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "multicast" },
        { "2606:4700:4700::1111", null }, { "2000::", null }, { "3fff:ffff::1", null }, { "1fff:ffff::1", "reserved" }, { "4000::1", "reserved" },
    };

    /// <summary>IPv6 forms that reach an IPv4 address are judged by it.</summary>
    public static TheoryData<string, string?> Embedded => new()
    {
        { "::ffff:127.0.0.1", "loopback" }, { "::ffff:169.254.169.254", "metadata" }, { "::ffff:10.1.2.3", "private" },
        { "::ffff:8.8.8.8", null }, { "::fffe:8.8.8.8", "reserved" },
        { "64:ff9b::7f00:1", "loopback" }, { "64:ff9b::a9fe:a9fe", "metadata" }, { "64:ff9b::c0a8:101", "private" },
        { "64:ff9b::808:808", null }, { "64:ff9b::1:0:808:808", "reserved" }, { "64:ff9b:1::808:808", "private" },
        { "2002:7f00:1::1", "loopback" }, { "2002:a9fe:a9fe::", "metadata" }, { "2002:a00:1::", "private" },
        { "2002:e000:1::", "multicast" }, { "2002:808:808::1", null }, { "2003::1", null }, { "2001:ffff::1", null },
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    [MemberData(nameof(Embedded))]
    public void Refusal_WithoutExceptions_IsTheRangesReason(string address, string? reason) =>
        Assert.Equal(reason, SpecialAddresses.Refusal(IPAddress.Parse(address), []));

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.2.3")]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3")]     // the mapped form of an allowed address
    [InlineData("127.0.0.0/8", "127.0.0.1")]
    [InlineData("169.254.169.254/32", "169.254.169.254")]
    [InlineData("fd00::/8", "fd00:ec2::254")]
    public void Refusal_AllowedNetwork_PermitsASpecialAddress(string allowed, string address) =>
        Assert.Null(SpecialAddresses.Refusal(IPAddress.Parse(address), [IPNetwork.Parse(allowed)]));

    [Theory]
    [InlineData("10.0.0.0/8", "11.0.0.1", null)]
    [InlineData("10.0.0.0/8", "192.168.1.1", "private")]
    [InlineData("10.0.0.0/8", "127.0.0.1", "loopback")]
    [InlineData("169.254.169.254/32", "169.254.169.253", "link-local")]
    [InlineData("127.0.0.1/32", "::1", "loopback")]
    public void Refusal_AllowedNetwork_OpensOnlyItself(string allowed, string address, string? reason) =>
        Assert.Equal(reason, SpecialAddresses.Refusal(IPAddress.Parse(address), [IPNetwork.Parse(allowed)]));
}
