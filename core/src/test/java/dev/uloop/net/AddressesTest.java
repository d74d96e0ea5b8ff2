package dev.uloop.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class AddressesTest {
    @Test
    void formatsLikePeopleWriteThem() throws Exception {
        assertEquals("127.0.0.1:7007", Addresses.format(new InetSocketAddress("127.0.0.1", 7007)));
        assertEquals("[::1]:7007", Addresses.format(new InetSocketAddress(InetAddress.getByName("::1"), 7007)));
        assertEquals("[::]:13", Addresses.format(new InetSocketAddress(InetAddress.getByName("::"), 13)));
        assertEquals("[2001:db8::1:0:0:1]:1", Addresses.format(
                new InetSocketAddress(InetAddress.getByName("2001:db8:0:0:1:0:0:1"), 1)));
        assertEquals("[fe80::1%2]:5", Addresses.format(
                new InetSocketAddress(java.net.Inet6Address.getByAddress(null,
                        InetAddress.getByName("fe80::1").getAddress(), 2), 5)));
    }
}
