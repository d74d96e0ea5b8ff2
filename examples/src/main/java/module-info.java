/**
 * The seeds' programs on uloop: each class is a program with a {@code main}. Run them on the
 * module path with
 * {@code java --enable-native-access=dev.uloop -p uloop-core.jar:uloop-examples.jar -m dev.uloop.examples/dev.uloop.examples.TcpTimeServer}
 * (the pipe example calls libc itself, so it needs {@code --enable-native-access=dev.uloop,dev.uloop.examples}).
 */
module dev.uloop.examples {
    requires dev.uloop;
    exports dev.uloop.examples;
}
