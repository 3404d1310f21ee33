package dev.gpuop.cli.doctor;

import com.fasterxml.jackson.annotation.JsonProperty;

/** An API enum as the API writes it and kubectl shows it ({@code notReady}, not {@code NOT_READY}). */
public final class WireNames {

    private WireNames() {
    }

    public static String of(Enum<?> e) {
        try {
            JsonProperty p = e.getDeclaringClass().getField(e.name()).getAnnotation(JsonProperty.class);
            return p == null ? e.name() : p.value();
        } catch (NoSuchFieldException impossible) {
            return e.name();
        }
    }
}
