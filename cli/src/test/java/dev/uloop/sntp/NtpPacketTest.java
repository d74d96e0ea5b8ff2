package dev.uloop.sntp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.uloop.sntp.NtpPacket.Check;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class NtpPacketTest {
    /** A request of {@code length} bytes with the given version and mode. */
    static ByteBuffer request(int length, int version, int mode) {
        ByteBuffer b = ByteBuffer.allocate(length);
        if (length > 0) {
            b.put(0, NtpPacket.firstByte(0, version, mode));
        }
        return b;
    }

    /** A v4 client request: header, extension fields of the given lengths, then {@code mac} bytes. */
    static ByteBuffer withExtensions(int mac, int... fieldLengths) {
        int total = NtpPacket.HEADER + mac;
        for (int f : fieldLengths) {
            total += f;
        }
        ByteBuffer b = request(total, 4, NtpPacket.MODE_CLIENT);
        int at = NtpPacket.HEADER;
        for (int f : fieldLengths) {
            b.putShort(at, (short) 0x0104);
            b.putShort(at + 2, (short) f);
            at += f;
        }
        return b;
    }

    @Test
    void aPlainClientRequestOfEveryVersionPasses() {
        for (int v = 1; v <= 4; v++) {
            assertEquals(Check.OK, NtpPacket.checkRequest(request(48, v, 3)), "version " + v);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 44, 47})
    void shortPacketsAreDropped(int length) {
        assertEquals(Check.TOO_SHORT, NtpPacket.checkRequest(request(length, 4, 3)));
    }

    @ParameterizedTest
    @ValueSource(ints = {49, 50, 51, 69, 101})
    void lengthsNotAMultipleOfFourAreDropped(int length) {
        assertEquals(Check.NOT_WORD_ALIGNED, NtpPacket.checkRequest(request(length, 4, 3)));
    }

    @ParameterizedTest
    @ValueSource(ints = {NtpPacket.MAX_REQUEST + 4, 1500, 65504})
    void oversizedPacketsAreDropped(int length) {
        assertEquals(Check.TOO_LONG, NtpPacket.checkRequest(request(length, 4, 3)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5, 6, 7})
    void unknownVersionsAreDropped(int version) {
        assertEquals(Check.BAD_VERSION, NtpPacket.checkRequest(request(48, version, 3)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 4, 5, 6, 7})
    void everyModeButClientIsDropped(int mode) {
        assertEquals(Check.NOT_A_REQUEST, NtpPacket.checkRequest(request(48, 4, mode)));
    }

    @Test
    void macsAndWellFormedExtensionFieldsPass() {
        assertEquals(Check.OK, NtpPacket.checkRequest(withExtensions(20)), "MD5 MAC");
        assertEquals(Check.OK, NtpPacket.checkRequest(withExtensions(24)), "SHA-1 MAC");
        assertEquals(Check.OK, NtpPacket.checkRequest(withExtensions(0, 28)), "one field, no MAC");
        assertEquals(Check.OK, NtpPacket.checkRequest(withExtensions(20, 16)), "one field and a MAC");
        assertEquals(Check.OK, NtpPacket.checkRequest(withExtensions(0, 16, 104, 28)), "three fields");
        assertEquals(Check.OK, NtpPacket.checkRequest(withExtensions(0, 1024)), "the largest");
        assertEquals(Check.OK, NtpPacket.checkRequest(request(68, 3, 3)), "NTPv3 with a MAC");
    }

    @Test
    void extensionFieldsThatDoNotAddUpAreDropped() {
        assertEquals(Check.BAD_EXTENSIONS, NtpPacket.checkRequest(request(52, 4, 3)), "4 stray bytes");
        assertEquals(Check.BAD_EXTENSIONS, NtpPacket.checkRequest(request(60, 4, 3)), "12 stray bytes");
        assertEquals(Check.BAD_EXTENSIONS, NtpPacket.checkRequest(withExtensions(0, 12)), "field under 16 bytes");
        ByteBuffer zero = withExtensions(0, 32);
        zero.putShort(NtpPacket.HEADER + 2, (short) 0);
        assertEquals(Check.BAD_EXTENSIONS, NtpPacket.checkRequest(zero), "field of length 0");
        ByteBuffer odd = withExtensions(0, 32);
        odd.putShort(NtpPacket.HEADER + 2, (short) 30);
        assertEquals(Check.BAD_EXTENSIONS, NtpPacket.checkRequest(odd), "length not a multiple of 4");
        ByteBuffer tooLong = withExtensions(0, 32);
        tooLong.putShort(NtpPacket.HEADER + 2, (short) 36);
        assertEquals(Check.BAD_EXTENSIONS, NtpPacket.checkRequest(tooLong), "length past the end");
        ByteBuffer huge = withExtensions(0, 32);
        huge.putShort(NtpPacket.HEADER + 2, (short) 0xFFFC);
        assertEquals(Check.BAD_EXTENSIONS, NtpPacket.checkRequest(huge), "length 65532");
        assertEquals(Check.BAD_EXTENSIONS, NtpPacket.checkRequest(request(80, 3, 3)), "extension fields before v4");
    }

    @Test
    void checksStartAtTheBuffersPosition() {
        ByteBuffer b = ByteBuffer.allocate(100);
        b.put(10, NtpPacket.firstByte(0, 4, 3));
        b.position(10).limit(58);
        assertEquals(Check.OK, NtpPacket.checkRequest(b));
        assertEquals(10, b.position(), "not consumed");
    }

    @Test
    void referenceIdsReadAsTextOrAddress() {
        assertEquals("RATE", NtpPacket.refIdText(SntpSettings.parseRefId("RATE"), 0));
        assertEquals("GPS", NtpPacket.refIdText(SntpSettings.parseRefId("gps"), 1));
        assertEquals("127.127.1.1", NtpPacket.refIdText(SntpSettings.LOCAL_REFERENCE_ID, 10));
        assertEquals("192.0.2.1", NtpPacket.refIdText(SntpSettings.parseRefId("192.0.2.1"), 2));
    }
}
