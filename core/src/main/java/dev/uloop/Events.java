package dev.uloop;

/**
 * Event bits, with the values of poll(2): the seeds' {@code UEvent}.
 *
 * <p>A handler asks for {@link #IN}, {@link #OUT}, {@link #PRI} and {@link #RDHUP} and is
 * called with the subset that is ready. All backends are level-triggered and report the
 * same bits for the same situation; uloop gets there by reporting what every backend can
 * say, the way the kernel's own select() folds poll bits:
 *
 * <table>
 * <caption>What a handler sees</caption>
 * <tr><th>situation</th><th>bits (if asked for)</th><th>what read/write then do</th></tr>
 * <tr><td>data or a connection to accept</td><td>IN</td><td>return data</td></tr>
 * <tr><td>peer closed (FIN, or the other end of a pipe/socketpair closed)</td><td>IN, RDHUP</td>
 *     <td>read returns 0</td></tr>
 * <tr><td>peer reset / socket error</td><td>IN and OUT</td><td>fail with ECONNRESET etc.</td></tr>
 * <tr><td>room to write</td><td>OUT</td><td>write succeeds</td></tr>
 * <tr><td>TCP urgent (out-of-band) data</td><td>PRI</td><td>recv(MSG_OOB) returns it</td></tr>
 * <tr><td>fd closed while still registered</td><td>nothing</td><td>the backend stops watching it</td></tr>
 * </table>
 *
 * <p>{@link #ERR}, {@link #HUP} and {@link #NVAL} are poll(2)'s output-only bits. select()
 * cannot express them and epoll cannot see a closed fd at all, so handlers never receive
 * them: uloop folds ERR into IN|OUT and HUP into IN (as the kernel's select() does), and
 * treats NVAL as "stop watching". They exist here for {@link #toString(int)} and for code
 * that reads raw poll results. RDHUP is reported by poll and epoll directly; the select
 * backend derives it with a one-byte {@code MSG_PEEK} on sockets (only when asked for), so
 * it shows only once unread data before the EOF has been read.
 *
 * {@snippet class="dev.uloop.snippets.LoopSnippets" region="events"}
 */
public final class Events {
    private Events() {}

    /** No events. */
    public static final int NONE = 0x000;
    /** Readable: data, a pending connection, EOF or an error. */
    public static final int IN = 0x001;
    /** Urgent (TCP out-of-band) data. */
    public static final int PRI = 0x002;
    /** Writable. */
    public static final int OUT = 0x004;
    /** Error condition (output only, folded into IN|OUT for handlers). */
    public static final int ERR = 0x008;
    /** Hang-up (output only, folded into IN for handlers). */
    public static final int HUP = 0x010;
    /** Invalid descriptor: closed while registered (output only, never delivered). */
    public static final int NVAL = 0x020;
    /** Peer shut down its writing side (stream sockets). */
    public static final int RDHUP = 0x2000;

    /** The bits a handler may ask for. */
    public static final int INTEREST = IN | PRI | OUT | RDHUP;

    private static final int[] BITS = {IN, PRI, OUT, ERR, HUP, NVAL, RDHUP};
    private static final String[] NAMES = {"IN", "PRI", "OUT", "ERR", "HUP", "NVAL", "RDHUP"};

    /**
     * Names the bits of a mask, as the seeds' {@code get_flag_names}.
     *
     * @param mask event bits
     * @return for example {@code "IN|HUP"}; {@code "NONE"} for 0; unknown bits in hex
     */
    public static String toString(int mask) {
        if (mask == 0) {
            return "NONE";
        }
        StringBuilder sb = new StringBuilder();
        int rest = mask;
        for (int i = 0; i < BITS.length; i++) {
            if ((mask & BITS[i]) != 0) {
                if (!sb.isEmpty()) {
                    sb.append('|');
                }
                sb.append(NAMES[i]);
                rest &= ~BITS[i];
            }
        }
        if (rest != 0) {
            if (!sb.isEmpty()) {
                sb.append('|');
            }
            sb.append("0x").append(Integer.toHexString(rest));
        }
        return sb.toString();
    }

    /**
     * Reduces raw poll/epoll bits to what a handler receives: ERR becomes IN|OUT, HUP
     * becomes IN, NVAL is dropped, and the result is limited to {@code interest}.
     *
     * @param raw      bits as poll(2) or epoll reported them
     * @param interest the bits the handler asked for
     * @return the bits to deliver, 0 for none
     */
    public static int deliverable(int raw, int interest) {
        int r = raw & INTEREST;
        if ((raw & (HUP | ERR)) != 0) {
            r |= IN;
        }
        if ((raw & ERR) != 0) {
            r |= OUT;
        }
        return r & interest;
    }
}
