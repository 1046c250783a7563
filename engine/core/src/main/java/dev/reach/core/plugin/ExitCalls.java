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
        ClassModel model = ClassFile.of().parse(classFile);
        for (PoolEntry entry : model.constantPool()) {
            if (entry instanceof MemberRefEntry ref && endsProcess(ref)) {
                String call = ref.owner().asInternalName().substring("java/lang/".length()) + "." + ref.name().stringValue();
                return Optional.of("calls " + call + caller(model, ref).map(m -> " in " + m).orElse(""));
            }
        }
        return Optional.empty();
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
