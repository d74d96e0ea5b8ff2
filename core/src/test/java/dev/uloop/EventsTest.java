package dev.uloop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EventsTest {
    @Test
    void bitValuesArePolls() {
        assertEquals(0x001, Events.IN);
        assertEquals(0x002, Events.PRI);
        assertEquals(0x004, Events.OUT);
        assertEquals(0x008, Events.ERR);
        assertEquals(0x010, Events.HUP);
        assertEquals(0x020, Events.NVAL);
        assertEquals(0x2000, Events.RDHUP);
    }

    @Test
    void toStringNamesEveryBit() {
        assertEquals("NONE", Events.toString(0));
        assertEquals("IN|HUP", Events.toString(Events.IN | Events.HUP));
        assertEquals("IN|PRI|OUT|ERR|HUP|NVAL|RDHUP", Events.toString(0x203f));
        assertEquals("OUT|0x40", Events.toString(Events.OUT | 0x40));
        assertEquals("0x4000", Events.toString(0x4000));
    }

    @Test
    void deliverableFoldsLikeTheKernelsSelect() {
        // ERR -> IN|OUT, HUP -> IN, NVAL dropped, limited to interest.
        assertEquals(Events.IN | Events.OUT, Events.deliverable(Events.ERR, Events.IN | Events.OUT));
        assertEquals(Events.OUT, Events.deliverable(Events.ERR | Events.HUP, Events.OUT));
        assertEquals(Events.IN, Events.deliverable(Events.HUP, Events.IN | Events.PRI));
        assertEquals(0, Events.deliverable(Events.HUP, Events.OUT));
        assertEquals(0, Events.deliverable(Events.NVAL, Events.INTEREST));
        assertEquals(Events.IN | Events.RDHUP,
                Events.deliverable(Events.IN | Events.RDHUP | Events.HUP, Events.IN | Events.RDHUP));
        assertEquals(Events.IN, Events.deliverable(Events.IN | Events.RDHUP, Events.IN));
        assertEquals(Events.PRI, Events.deliverable(Events.PRI | Events.IN, Events.PRI));
    }
}
