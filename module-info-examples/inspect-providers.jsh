// SPDX-License-Identifier: Apache-2.0
// What loopwire finds on a module path: loops, transport providers, adapters, and how every key
// resolves on every available loop. Run from the repository root:
//   jshell --module-path <jars> --add-modules ALL-MODULE-PATH module-info-examples/inspect-providers.jsh
// (bash demo.sh prints the line with the demo's own module path.) It opens one loop of each
// available kind and closes it; providers are only described and explained, never created.

import dev.loopwire.loop.*;
import dev.loopwire.loop.spi.EventLoopProvider;
import dev.loopwire.transport.*;
import java.lang.module.ResolvedModule;
import java.lang.reflect.Modifier;
import java.util.*;
import java.util.stream.*;

String cut(String s, int width) { return s.length() <= width ? s : s.substring(0, width - 3) + "..."; }
String caps(Collection<Class<? extends Capability>> types) {
    return types.isEmpty() ? "-" : types.stream().map(Class::getSimpleName).sorted().collect(Collectors.joining("+"));
}

System.out.println("== Event loops (best first)");
System.out.printf("  %-11s %5s  %-28s %s%n", "name", "prio", "capabilities", "availability");
for (EventLoopProvider p : EventLoops.providers()) {
    System.out.printf("  %-11s %5d  %-28s %s%n", p.name(), p.priority(), caps(p.capabilities()),
            cut(EventLoops.availability(p).toString(), 50));
}
EventLoops.failures().forEach(f -> System.out.println("  failed to load: " + cut(String.valueOf(f.getMessage()), 80)));

System.out.println("\n== Transport providers (Transports.providers())");
for (ProviderInfo p : Transports.providers()) {
    System.out.printf("  %-30s %-33s prio %4d  %s%n", p.simpleName(), p.keyName().orElse("?"), p.priority(),
            caps(p.requires()));
    System.out.printf("      %s  %s%n", cut(p.origin(), 80), cut(p.availability().toString(), 90 - Math.min(80, p.origin().length())));
}

System.out.println("\n== Capability adapters (Transports.adapters())");
for (ProviderInfo a : Transports.adapters()) {
    System.out.printf("  %-30s offers %-26s needs %s%n", a.simpleName(),
            a.keyName().map(n -> n.substring(n.lastIndexOf('.') + 1)).orElse("?"), caps(a.requires()));
    System.out.printf("      %s  %s%n", cut(a.origin(), 80), cut(a.availability().toString(), 90 - Math.min(80, a.origin().length())));
}

// Keys are the public static TransportKey fields of exported classes in the application's modules
// (not the JDK's), including plugin layers; finding them loads those classes, no provider.
List<TransportKey<?>> keysOf(ModuleLayer layer) {
    List<TransportKey<?>> keys = new ArrayList<>();
    for (ResolvedModule m : layer.configuration().modules()) {
        if (m.reference().location().map(u -> u.getScheme().equals("jrt")).orElse(true)) continue;
        Set<String> exported = m.reference().descriptor().isAutomatic() ? m.reference().descriptor().packages()
                : m.reference().descriptor().exports().stream().filter(e -> !e.isQualified())
                        .map(e -> e.source()).collect(Collectors.toSet());
        ClassLoader loader = layer.findLoader(m.name());
        try (var reader = m.reference().open(); var names = reader.list()) {
            for (String n : names.filter(n -> n.endsWith(".class") && !n.contains("-")).toList()) {
                String cls = n.substring(0, n.length() - 6).replace('/', '.');
                if (!exported.contains(cls.substring(0, Math.max(0, cls.lastIndexOf('.'))))) continue;
                try {
                    for (var f : Class.forName(cls, false, loader).getFields()) {
                        if (f.getType() == TransportKey.class && Modifier.isStatic(f.getModifiers())) keys.add((TransportKey<?>) f.get(null));
                    }
                } catch (ReflectiveOperationException | LinkageError e) {
                    System.out.println("  cannot read " + cls + ": " + e);
                }
            }
        } catch (java.io.IOException e) {
            System.out.println("  cannot list " + m.name() + ": " + e);
        }
    }
    return keys;
}
List<TransportKey<?>> keys = new ArrayList<>(keysOf(ModuleLayer.boot()));
Plugins.layers().forEach(l -> keys.addAll(keysOf(l)));
keys.sort(Comparator.comparing(TransportKey::name));

List<EventLoop> loops = new ArrayList<>();
for (EventLoopProvider p : EventLoops.providers()) {
    if (EventLoops.availability(p).isAvailable()) loops.add(EventLoops.open(p.name()));
}

System.out.println("\n== Resolution matrix (Transports.explain: key x available loop)");
System.out.printf("  %-33s %-13s %s%n", "key", "loop", "chosen (source), or why none");
for (TransportKey<?> key : keys) {
    for (EventLoop loop : loops) {
        Explanation e = Transports.explain(loop, key);
        String chosen = e.chosen().map(c -> c.name() + " (" + c.source().label() + ")")
                .orElseGet(() -> "none: " + e.candidates().stream().map(c -> c.name() + " " + c.reason())
                        .collect(Collectors.joining("; ")));
        System.out.printf("  %-33s %-13s %s%n", cut(key.name(), 33), cut(loop.name(), 13), cut(chosen, 50));
    }
}
Set<String> declared = keys.stream().map(TransportKey::name).collect(Collectors.toSet());
for (String k : Transports.providers().stream().flatMap(p -> p.keyName().stream()).distinct().toList()) {
    if (!declared.contains(k)) System.out.println("  " + k + ": no exported TransportKey field found; cannot explain");
}

loops.forEach(EventLoop::close);
String count(int n, String noun) { return n + " " + noun + (n == 1 ? "" : "s"); }
System.out.println("\n" + count(keys.size(), "key") + ", " + count(loops.size(), "loop") + ", "
        + count(Transports.providers().size(), "provider") + ", " + count(Transports.adapters().size(), "adapter"));
/exit
