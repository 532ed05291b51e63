// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import dev.loopwire.loop.internal.CodeOwners;
import java.util.List;
import java.util.Objects;

/**
 * The fully qualified name of a transport entry point and the Java type of its implementation,
 * such as {@code dev.loopwire.transport.udp.bind} → {@code UdpBinder}.
 *
 * <p>A key is owned by the module that declares its {@linkplain #type() type} (on the class path:
 * the jar or folder the type was loaded from). Its name must start with the owner's module name
 * (on the class path, the type's package name) and a dot, so that keys of different modules can
 * never collide.
 *
 * <p>A key may {@linkplain #replacing(String...) replace} older names: a transport that began as
 * a third-party extension ({@code com.example.udp.listen}) and was later standardized keeps
 * resolving the providers written for its old name. Only code in the owner's module can declare
 * what its key replaces.
 *
 * <p>Keys are immutable, thread-safe values; they compare by name, type and replaced names.
 *
 * @param <T> the type of the implementation
 */
public final class TransportKey<T> {

    private static final StackWalker WALKER =
            StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private final String name;
    private final Class<T> type;
    private final List<String> replaces;

    private TransportKey(String name, Class<T> type, List<String> replaces) {
        this.name = name;
        this.type = type;
        this.replaces = replaces;
    }

    /**
     * Creates a key.
     *
     * @param qualifiedName the key's name, starting with the owner's module or package name
     * @param type the implementation type; its module (or package) owns the key
     * @param <T> the implementation type
     * @return the key; never null
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the name does not start with the owner's prefix
     */
    public static <T> TransportKey<T> of(String qualifiedName, Class<T> type) {
        Objects.requireNonNull(qualifiedName, "qualifiedName");
        Objects.requireNonNull(type, "type");
        checkName(qualifiedName);
        if (!isOwnedBy(qualifiedName, type)) {
            throw new IllegalArgumentException("Transport key name '" + qualifiedName
                    + "' must start with '" + expectedPrefix(type)
                    + "', the name of the " + ownerKind(type) + " that declares " + type.getName()
                    + "; rename the key or declare its type in the module that owns the name");
        }
        return new TransportKey<>(qualifiedName, type, List.of());
    }

    /**
     * Returns a key like this one that also answers for older names: providers and
     * registrations written for {@code oldNames} resolve for this key when their implementation
     * type is assignable to {@link #type()}.
     *
     * @param oldNames the names this key takes over, each well-formed; none may equal this key's
     *     name
     * @return a new key with this name and type and the old names added; this key is unchanged
     * @throws IllegalCallerException if the caller is not in the key's owning module (on the
     *     class path: the jar or folder of the key's type)
     * @throws IllegalArgumentException if an old name is malformed or equals this key's name
     */
    public TransportKey<T> replacing(String... oldNames) {
        Objects.requireNonNull(oldNames, "oldNames");
        Class<?> caller = WALKER.getCallerClass();
        if (!sameOwner(caller, type)) {
            throw new IllegalCallerException("Only '" + CodeOwners.describe(type) + "', the owner of '" + name
                    + "', may declare what it replaces; called from " + caller.getName() + " in '"
                    + CodeOwners.describe(caller) + "'");
        }
        for (String old : oldNames) {
            Objects.requireNonNull(old, "oldNames element");
            checkName(old);
            if (old.equals(name)) {
                throw new IllegalArgumentException("Transport key '" + name + "' cannot replace itself");
            }
        }
        List<String> all = new java.util.ArrayList<>(replaces);
        for (String old : oldNames) {
            if (!all.contains(old)) {
                all.add(old);
            }
        }
        return new TransportKey<>(name, type, List.copyOf(all));
    }

    /**
     * The fully qualified name; never {@code null}.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The implementation type; never {@code null}.
     *
     * @return the type
     */
    public Class<T> type() {
        return type;
    }

    /**
     * The older names this key answers for; never {@code null}, often empty.
     *
     * @return the names, unmodifiable, in the order they were declared
     */
    public List<String> replaces() {
        return replaces;
    }

    /**
     * Whether {@code qualifiedName} is this key's name or one it replaces.
     *
     * @param qualifiedName a key name, such as a provider's
     * @return {@code true} if this key answers for {@code qualifiedName}
     */
    public boolean answersTo(String qualifiedName) {
        return name.equals(qualifiedName) || replaces.contains(qualifiedName);
    }

    /**
     * The module name (named module) or package name (class path) that owns this key.
     *
     * @return the owner's name, such as {@code dev.loopwire.transport.udp}; never null
     */
    public String owner() {
        return owner(type);
    }

    /**
     * Whether {@code candidate} lives in the module (on the class path: the jar or folder) that
     * owns this key.
     *
     * @param candidate a class, such as a provider's
     * @return {@code true} if {@code candidate} is in the owner of this key
     */
    public boolean isOwnedBy(Class<?> candidate) {
        return sameOwner(candidate, type);
    }

    private static void checkName(String qualifiedName) {
        if (qualifiedName.isEmpty() || qualifiedName.startsWith(".") || qualifiedName.endsWith(".")
                || qualifiedName.contains("..") || qualifiedName.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("Transport key name '" + qualifiedName
                    + "' is not a dotted qualified name such as 'com.example.udp.listen'");
        }
    }

    private static boolean isOwnedBy(String qualifiedName, Class<?> type) {
        Module module = type.getModule();
        if (module.isNamed() && qualifiedName.startsWith(module.getName() + ".")) {
            return true;
        }
        return qualifiedName.startsWith(type.getPackageName() + ".");
    }

    /**
     * Whether {@code candidate} belongs to the owner of {@code type}: the same named module, or,
     * both on the class path, the same jar or folder (a package is no boundary there: any jar
     * can declare classes in another's package).
     */
    private static boolean sameOwner(Class<?> candidate, Class<?> type) {
        return CodeOwners.same(candidate, type);
    }

    private static String owner(Class<?> type) {
        return type.getModule().isNamed() ? type.getModule().getName() : type.getPackageName();
    }

    private static String ownerKind(Class<?> type) {
        return type.getModule().isNamed() ? "module" : "package";
    }

    private static String expectedPrefix(Class<?> type) {
        Module module = type.getModule();
        if (module.isNamed() && !module.getName().equals(type.getPackageName())) {
            return module.getName() + ".' or '" + type.getPackageName() + ".";
        }
        return owner(type) + ".";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransportKey<?> other && name.equals(other.name) && type == other.type
                && replaces.equals(other.replaces);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + type.hashCode();
    }

    @Override
    public String toString() {
        return replaces.isEmpty() ? name : name + " (replaces " + String.join(", ", replaces) + ")";
    }

}
