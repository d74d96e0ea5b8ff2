package dev.uloop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Looking users and groups up through the C library, and the per-thread check that follows
 * a drop, on status files written here. The drop itself changes the whole process, so it is
 * tested on a real server process (the command line's PrivilegeDropTest).
 */
class PrivilegesTest {
    @Test
    void rootIsUidZeroInGroupRoot() {
        Privileges.Identity root = Privileges.lookup("root", null);
        assertEquals(0, root.uid());
        assertEquals(0, root.gid());
        assertEquals("root", root.group());
        assertTrue(root.groups().contains(0), root::toString);
        assertEquals("root (uid 0), group root (gid 0)", root.toString());
    }

    @Test
    void nobodyAsTheSystemKnowsIt() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u", "nobody").start();
        String out = new String(id.getInputStream().readAllBytes()).strip();
        assumeTrue(id.waitFor() == 0 && !out.isEmpty(), "no user nobody here; skipping");
        Privileges.Identity nobody = Privileges.lookup("nobody", "root");
        assertEquals(Integer.parseInt(out), nobody.uid());
        assertEquals(0, nobody.gid(), "--group root chosen");
        assertTrue(nobody.groups().contains(0), nobody::toString);
    }

    @Test
    void unknownNamesAreRefusedWithTheName() {
        IllegalArgumentException u = assertThrows(IllegalArgumentException.class,
                () -> Privileges.lookup("no-such-user-here", null));
        assertEquals("unknown user 'no-such-user-here'", u.getMessage());
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class,
                () -> Privileges.lookup("root", "no-such-group-here"));
        assertEquals("unknown group 'no-such-group-here'", g.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Privileges.lookup("", null));
        assertThrows(IllegalArgumentException.class, () -> Privileges.lookup("root", ""));
    }

    @Test
    void everyThreadMustHaveTheTargetCredentials(@TempDir Path tasks) throws IOException {
        writeStatus(tasks, "100", "65534\t65534\t65534\t65534", "65534\t65534\t65534\t65534", "65534 ");
        writeStatus(tasks, "101", "65534\t65534\t65534\t65534", "65534\t65534\t65534\t65534", "65534");
        Privileges.ThreadCredentials.check(tasks, 65534, 65534, List.of(65534));

        writeStatus(tasks, "102", "65534\t65534\t0\t65534", "65534\t65534\t65534\t65534", "65534");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Privileges.ThreadCredentials.check(tasks, 65534, 65534, List.of(65534)));
        assertTrue(e.getMessage().contains("thread 102 kept other credentials: Uid 65534 65534 0 65534"),
                e.getMessage());
        Files.delete(tasks.resolve("102/status"));
        writeStatus(tasks, "103", "65534\t65534\t65534\t65534", "65534\t65534\t65534\t65534", "0 65534");
        assertThrows(IllegalStateException.class,
                () -> Privileges.ThreadCredentials.check(tasks, 65534, 65534, List.of(65534)));
    }

    private static void writeStatus(Path tasks, String tid, String uid, String gid, String groups) throws IOException {
        Path dir = Files.createDirectories(tasks.resolve(tid));
        Files.writeString(dir.resolve("status"), "Name:\tjava\nUid:\t" + uid + "\nGid:\t" + gid + "\nFDSize:\t64\n"
                + "Groups:\t" + groups + "\n");
    }
}
