package io.jahci.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jahci.miniport.PortState;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * io.jahci.disk is jahci's public Java API: no public or protected signature of a public type in it
 * (supertypes, fields, record components, constructors, methods: return, parameter and thrown types,
 * generics included) names a type of the miniport layer below it, so the miniport can change
 * without breaking a caller.
 */
class PublicApiTest {
    private static final String HIDDEN = "io.jahci.miniport.";

    @Test
    void noPublicSignatureOfTheDiskPackageNamesAMiniportType() throws Exception {
        List<Class<?>> api = publicClasses();
        assertTrue(api.contains(Controller.class) && api.contains(Disk.class), "found the API's classes: " + api);
        List<String> leaks = new ArrayList<>();
        for (Class<?> c : api) {
            leaks.addAll(leaks(c));
        }
        leaks.sort(null);
        assertTrue(leaks.isEmpty(), leaks.size() + " public signatures in io.jahci.disk name io.jahci.miniport types:\n"
                + String.join("\n", leaks));
    }

    @Test
    void everyPortStateHasTheConditionOfTheSameName() {
        for (PortState state : PortState.values()) {
            assertEquals(state.name(), PortCondition.of(state).name());
        }
        assertEquals(PortState.values().length, PortCondition.values().length);
    }

    /** Every class io.jahci.disk compiles to that a caller can name: public, and public all the way out. */
    private static List<Class<?>> publicClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(Controller.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve("io/jahci/disk");
        assertTrue(Files.isDirectory(dir), dir + " is not a directory: run this test from compiled classes (mvn test)");
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                String name = f.getFileName().toString();
                Class<?> c = Class.forName("io.jahci.disk." + name.substring(0, name.length() - ".class".length()),
                        false, Controller.class.getClassLoader());
                if (visible(c)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    private static boolean visible(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
                return false;
            }
        }
        return true;
    }

    /** "Class.member: type" for each public or protected signature of {@code c} that names a miniport type. */
    private static List<String> leaks(Class<?> c) {
        List<String> out = new ArrayList<>();
        check(out, c.getName() + " extends", c.getGenericSuperclass());
        for (Type t : c.getGenericInterfaces()) {
            check(out, c.getName() + " implements", t);
        }
        for (TypeVariable<?> v : c.getTypeParameters()) {
            check(out, c.getName() + "<" + v.getName() + ">", v);
        }
        if (c.isRecord()) {
            for (RecordComponent r : c.getRecordComponents()) {
                check(out, c.getName() + " record component " + r.getName(), r.getGenericType());
            }
        }
        for (Field f : members(c.getFields(), c.getDeclaredFields())) {
            check(out, c.getName() + "." + f.getName(), f.getGenericType());
        }
        for (Constructor<?> k : members(c.getConstructors(), c.getDeclaredConstructors())) {
            checkExecutable(out, c.getName() + ".<init>", k);
        }
        for (Method m : members(c.getMethods(), c.getDeclaredMethods())) {
            checkExecutable(out, c.getName() + "." + m.getName(), m);
            check(out, c.getName() + "." + m.getName() + " returns", m.getGenericReturnType());
        }
        return out;
    }

    /** The public members (inherited ones too) and the declared protected ones. */
    @SafeVarargs
    private static <M extends Member> List<M> members(M[] publicOnes, M... declared) {
        List<M> out = new ArrayList<>(List.of(publicOnes));
        for (M m : declared) {
            if (Modifier.isProtected(m.getModifiers())) {
                out.add(m);
            }
        }
        return out;
    }

    private static void checkExecutable(List<String> out, String where, Executable e) {
        for (Type p : e.getGenericParameterTypes()) {
            check(out, where + " parameter", p);
        }
        for (Type x : e.getGenericExceptionTypes()) {
            check(out, where + " throws", x);
        }
        for (TypeVariable<?> v : e.getTypeParameters()) {
            check(out, where + "<" + v.getName() + ">", v);
        }
    }

    private static void check(List<String> out, String where, Type type) {
        Set<String> named = new HashSet<>();
        collect(type, named, new HashSet<>());
        for (String n : named) {
            if (n.startsWith(HIDDEN)) {
                out.add(where + ": " + n);
            }
        }
    }

    /** The names of every class {@code type} mentions, through arrays, type arguments, bounds and owners. */
    private static void collect(Type type, Set<String> named, Set<Type> seen) {
        if (type == null || !seen.add(type)) {
            return;
        }
        if (type instanceof Class<?> c) {
            if (c.isArray()) {
                collect(c.getComponentType(), named, seen);
            } else {
                named.add(c.getName());
            }
        } else if (type instanceof ParameterizedType p) {
            collect(p.getRawType(), named, seen);
            collect(p.getOwnerType(), named, seen);
            for (Type a : p.getActualTypeArguments()) {
                collect(a, named, seen);
            }
        } else if (type instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                collect(b, named, seen);
            }
            for (Type b : w.getLowerBounds()) {
                collect(b, named, seen);
            }
        } else if (type instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                collect(b, named, seen);
            }
        } else if (type instanceof GenericArrayType g) {
            collect(g.getGenericComponentType(), named, seen);
        }
    }
}
