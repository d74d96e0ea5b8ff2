package dev.uloop.cli;

import dev.uloop.Backend;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --backend auto|epoll|io_uring|io_uring-completion|poll|select}: an unknown or unavailable one is bad usage (exit 2). */
final class BackendConverter implements ITypeConverter<Backend> {
    @Override
    public Backend convert(String value) {
        try {
            return Backend.parse(value).requireAvailable();
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
