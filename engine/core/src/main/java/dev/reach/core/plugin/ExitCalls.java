package dev.reach.core.plugin;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.instruction.InvokeInstruction;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the calls in a class file that would end the process: {@code System.exit}, {@code Runtime.exit} and
 * {@code Runtime.halt}. Java 25 has no security manager to stop them at run time, so a plugin's classes are read
 * before they are defined ({@link GuardedClassLoader}). The constant pool names every method a class calls (as
 * well as method references such as {@code System::exit}), so one pass over it is exact and cheap; the methods'
 * code is read only to say where the call is.
 *
 * <p>It finds what the class file says, not what reflection or native code may do at run time.
 */
final class ExitCalls {
    /** {@code owner.name} of each method that ends the process, in internal form. */
    private static final Set<String> ENDS_PROCESS = Set.of("java/lang/System.exit", "java/lang/Runtime.exit",
            "java/lang/Runtime.halt");

    private ExitCalls() {
    }

    /**
     * The first call that ends the process, as a sentence part ({@code calls System.exit in run()}), or empty.
     *
     * @throws IllegalArgumentException when the bytes are not a class file
     */
    static Optional<String> find(byte[] classFile) {
        if (!namesAnExit(classFile)) {
            if (classFile.length < 4 || (classFile[0] & 0xff) != 0xca || (classFile[1] & 0xff) != 0xfe) {
                throw new IllegalArgumentException("not a class file");
            }
            return Optional.empty();
        }
        ClassModel model = ClassFile.of().parse(classFile);
        for (PoolEntry entry : model.constantPool()) {
            if (entry instanceof MemberRefEntry ref && endsProcess(ref)) {
                String call = ref.owner().asInternalName().substring("java/lang/".length()) + "." + ref.name().stringValue();
                return Optional.of("calls " + call + caller(model, ref).map(m -> " in " + m).orElse(""));
            }
        }
        return Optional.empty();
    }

    /** The constant pool's UTF-8 entries of the names {@code exit} and {@code halt}, as they are stored: tag 1, length 4. */
    private static final byte[][] NAMES = {{1, 0, 4, 'e', 'x', 'i', 't'}, {1, 0, 4, 'h', 'a', 'l', 't'}};

    /**
     * Whether the class file holds the entry {@code exit} or {@code halt}, which every call to, or reference of, a
     * method of that name needs: most classes have neither, and a search of their bytes costs far less than parsing
     * their constant pool (a plugin's classes are read at every start). The bytes may match elsewhere too (inside a
     * longer string, say): the parse then decides.
     */
    static boolean namesAnExit(byte[] b) {
        for (byte[] name : NAMES) {
            outer:
            for (int i = 0, last = b.length - name.length; i <= last; i++) {
                for (int j = 0; j < name.length; j++) {
                    if (b[i + j] != name[j]) continue outer;
                }
                return true;
            }
        }
        return false;
    }

    private static boolean endsProcess(MemberRefEntry ref) {
        return ENDS_PROCESS.contains(ref.owner().asInternalName() + "." + ref.name().stringValue());
    }

    /** The method whose code invokes it; empty when it is only referred to (a method reference, say). */
    private static Optional<String> caller(ClassModel model, MemberRefEntry ref) {
        for (MethodModel method : model.methods()) {
            var code = method.code();
            if (code.isPresent()) {
                for (var element : code.get()) {
                    if (element instanceof InvokeInstruction invoke && invoke.method().owner().asInternalName()
                            .equals(ref.owner().asInternalName()) && invoke.name().equalsString(ref.name().stringValue())) {
                        String name = method.methodName().stringValue();
                        return Optional.of(name.equals("<init>") ? "its constructor"
                                : name.equals("<clinit>") ? "its static initialiser" : name + "()");
                    }
                }
            }
        }
        return Optional.empty();
    }
}
