import java.io.IOException;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites the classes of a jar compiled for Java 5 or older as Java 6 classes, with stack
 * map frames, in place; the code itself is unchanged. Run by bin/uloop after a build:
 * {@code java RetargetJar.java JAR}.
 *
 * <p>Why: the JVM keeps such old classes out of an ahead-of-time cache (JEP 483: "old class
 * has been linked"), so each start loads them from the jar and verifies them with the old,
 * slower type-inferencing verifier. picocli 4.7 is compiled for Java 5: its 170-odd classes
 * were the one part of {@code uloop serve} that the cache could not hold. Version 50 keeps
 * the JVM's fallback to the old verifier, should a generated frame ever be refused.
 *
 * <p>Exits 0 having rewritten the jar, or with nothing to do; 1 when it could not, leaving
 * the jar as it was.
 */
public final class RetargetJar {
    private static final int JAVA_6 = 50;

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java RetargetJar.java JAR");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        Path tmp = Files.createTempFile(jar.toAbsolutePath().getParent(), ".retarget", ".jar");
        int rewritten = 0;
        try (ZipFile in = new ZipFile(jar.toFile());
                URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
                OutputStream file = Files.newOutputStream(tmp);
                ZipOutputStream out = new ZipOutputStream(file)) {
            ClassFile cf = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                    ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                            .orElse(ClassHierarchyResolver.ofResourceParsing(loader))));
            for (ZipEntry e : Collections.list(in.entries())) {
                byte[] b = in.getInputStream(e).readAllBytes();
                if (e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/")) {
                    ClassModel m = cf.parse(b);
                    if (m.majorVersion() < JAVA_6) {
                        // Rebuilding every method body makes the library compute its frames.
                        b = cf.transformClass(m, ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                                .andThen(ClassTransform.endHandler(c -> c.withVersion(JAVA_6, 0))));
                        rewritten++;
                    }
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                out.putNextEntry(copy);
                out.write(b);
                out.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            System.err.println("RetargetJar: " + jar + " left as it was: " + e);
            System.exit(1);
        }
        if (rewritten == 0) {
            Files.delete(tmp);
            return;
        }
        try {
            Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(jar));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the temporary file's permissions will do
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
