// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Loads jars from a plugin folder into a child {@link ModuleLayer}, so that the loops and
 * transports they provide are found without changing the command line.
 *
 * <p><b>Opt-in only.</b> Loading a jar runs its providers' constructors, so no folder is ever
 * loaded unless the user names it: with the system property {@value #PROPERTY} (read on first
 * use) or by calling {@link #load(Path)}. There is no default folder: a {@code plugins} folder in
 * the working directory is ignored. An empty or blank property means off. A relative folder is
 * resolved against the working directory, and reported and logged as an absolute path. Every
 * load of a folder that holds jars is logged at {@code INFO} with the folder, the modules and
 * the jars loaded (an empty folder at {@code DEBUG}).
 *
 * <p>Explicit modules and plain jars (automatic modules) both work. A jar that cannot be read or
 * whose module cannot be resolved is reported in {@link Report#failures()}, logged at
 * {@code WARNING}, and left out; the others load. Plugin providers get no more trust than any
 * other: a plugin cannot take over a transport key or a capability it does not own.
 *
 * <p>After loading a folder at run time, call {@code Transports.reload()} so that keys already
 * resolved are resolved again.
 *
 * <p><b>Concurrency.</b> Thread-safe.
 */
public final class Plugins {

    /** The system property naming the plugin folder. */
    public static final String PROPERTY = "loopwire.plugins";

    private static final System.Logger LOG = System.getLogger(Plugins.class.getName());
    private static final List<Report> REPORTS = new CopyOnWriteArrayList<>();
    private static volatile boolean defaultLoaded;
    private static volatile int version;

    private Plugins() {
    }

    /**
     * What loading a folder did.
     *
     * @param folder the folder, absolute
     * @param layer the layer holding the modules that loaded, or empty if none did
     * @param modules the names of the modules that loaded
     * @param failures each jar left out, with why
     */
    public record Report(Path folder, Optional<ModuleLayer> layer, List<String> modules,
            Map<Path, String> failures) {
    }

    /**
     * The layers of every plugin folder loaded so far (loading the folder named by
     * {@value #PROPERTY} first).
     *
     * @return the layers in load order, each a child of the boot layer; a new list, never null
     */
    public static List<ModuleLayer> layers() {
        loadDefault();
        List<ModuleLayer> layers = new ArrayList<>();
        for (Report r : REPORTS) {
            r.layer().ifPresent(layers::add);
        }
        return layers;
    }

    /**
     * The reports of every folder loaded so far.
     *
     * @return one report per folder in load order, failures included; unmodifiable, never null
     */
    public static List<Report> reports() {
        loadDefault();
        return List.copyOf(REPORTS);
    }

    /**
     * Grows by one each time a folder is loaded; discovery uses it to know it must look again.
     *
     * @return the number of folders loaded so far in this JVM
     */
    public static int version() {
        return version;
    }

    /**
     * Loads every {@code .jar} in a folder into a new layer whose parent is the boot layer, and
     * logs at {@code INFO} which modules and jars loaded.
     *
     * @param folder the folder; a relative path is resolved against the working directory
     * @return what loaded and what did not, with why; never null
     * @throws IOException if the folder cannot be listed
     */
    public static synchronized Report load(Path folder) throws IOException {
        Objects.requireNonNull(folder, "folder");
        folder = folder.toAbsolutePath().normalize();
        Map<Path, String> failures = new LinkedHashMap<>();
        Map<String, Path> found = new LinkedHashMap<>();
        List<Path> jars;
        try (Stream<Path> list = Files.list(folder)) {
            jars = list.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        for (Path jar : jars) {
            try {
                for (ModuleReference ref : ModuleFinder.of(jar).findAll()) {
                    String name = ref.descriptor().name();
                    if (ModuleLayer.boot().findModule(name).isPresent() || found.containsKey(name)) {
                        failures.put(jar, "module '" + name + "' is already loaded; remove the duplicate jar");
                    } else {
                        found.put(name, jar);
                    }
                }
            } catch (FindException | SecurityException e) {
                failures.put(jar, "not a usable module: " + e.getMessage());
            }
        }
        Set<String> roots = new TreeSet<>(found.keySet());
        Configuration cf = resolve(roots, found, failures);
        ModuleLayer layer = null;
        if (cf != null && !roots.isEmpty()) {
            layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getSystemClassLoader());
        }
        Report report = new Report(folder, Optional.ofNullable(layer), List.copyOf(roots), Map.copyOf(failures));
        failures.forEach((jar, why) -> LOG.log(System.Logger.Level.WARNING, "Plugin " + jar + " left out: " + why));
        List<String> loadedJars = roots.stream().map(found::get).distinct()
                .map(jar -> String.valueOf(jar.getFileName())).sorted().toList();
        if (!roots.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "Plugin folder " + folder + ": loaded modules " + roots + " from " + loadedJars);
        } else if (!jars.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "Plugin folder " + folder + ": no module loaded; every jar was left out");
        } else {
            // Naming an empty folder is how a deployment says "no plugins yet": not worth a line at INFO.
            LOG.log(System.Logger.Level.DEBUG, "Plugin folder " + folder + " holds no jar");
        }
        REPORTS.add(report);
        version++;
        return report;
    }

    /** Resolves the roots together; if that fails, drops the modules that fail alone, one by one. */
    private static Configuration resolve(Set<String> roots, Map<String, Path> found, Map<Path, String> failures) {
        Path[] paths = found.values().stream().distinct().toArray(Path[]::new);
        ModuleFinder finder = ModuleFinder.of(paths);
        Configuration parent = ModuleLayer.boot().configuration();
        try {
            return parent.resolveAndBind(finder, ModuleFinder.of(), roots);
        } catch (ResolutionException | FindException first) {
            for (String root : List.copyOf(roots)) {
                try {
                    parent.resolveAndBind(finder, ModuleFinder.of(), Set.of(root));
                } catch (ResolutionException | FindException e) {
                    roots.remove(root);
                    failures.put(found.get(root), "cannot be resolved: " + e.getMessage());
                }
            }
            try {
                return parent.resolveAndBind(finder, ModuleFinder.of(), roots);
            } catch (ResolutionException | FindException e) {
                roots.forEach(r -> failures.putIfAbsent(found.get(r), "cannot be resolved with the others: " + e.getMessage()));
                roots.clear();
                return null;
            }
        }
    }

    private static void loadDefault() {
        if (defaultLoaded) {
            return;
        }
        synchronized (Plugins.class) {
            if (defaultLoaded) {
                return;
            }
            defaultLoaded = true;
            String value = System.getProperty(PROPERTY);
            Optional<Path> folder;
            try {
                folder = folderNamedBy(value);
            } catch (InvalidPathException e) {
                LOG.log(System.Logger.Level.WARNING, "-D" + PROPERTY + "='" + value + "' is not a path ("
                        + e.getMessage() + "); no plugin loaded: name an existing folder");
                return;
            }
            if (folder.isEmpty()) {
                return;
            }
            if (!Files.isDirectory(folder.get())) {
                LOG.log(System.Logger.Level.WARNING, "Plugin folder " + folder.get() + " named by -D" + PROPERTY
                        + " is not a folder; no plugin loaded");
                return;
            }
            try {
                load(folder.get());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "Cannot list plugin folder " + folder.get(), e);
            }
        }
    }

    /**
     * The folder a value of {@value #PROPERTY} names, absolute; empty when the value is
     * missing, empty or blank (off).
     *
     * @throws InvalidPathException if the value is not a path
     */
    static Optional<Path> folderNamedBy(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(Path.of(value.trim()).toAbsolutePath().normalize());
    }
}
