package dev.reach.shell.docs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Completion scripts for bash, zsh (native: {@code #compdef}, no bashcompinit) and fish, written from the
 * {@link Reference}. Each script is the same two parts in its shell's language: tables (commands, options and the
 * values they take, probe ids, each probe's parameters and their values, installed playbooks and their inputs, cause
 * codes), and a short function that walks the words typed so far to the command, its positional index and the word
 * being typed, and looks the candidates up. Nothing runs reach while completing: a plugin installed later is in the
 * scripts once they are made again ({@code reach completion SHELL}).
 */
public final class Completions {
    /** The shells there is a script for. */
    public enum Shell { bash, zsh, fish }

    private Completions() {
    }

    public static String of(Shell shell, Reference ref) {
        Tables t = Tables.of(ref);
        return switch (shell) {
            case bash -> bash(t, ref.version());
            case zsh -> zsh(t, ref.version());
            case fish -> fish(t, ref.version());
        };
    }

    /**
     * The lookups, each from a key to lines ({@code value} or {@code value<TAB>description}).
     *
     * <ul>
     *   <li>subs: command path ({@code ""} for reach) to its subcommands;</li>
     *   <li>opts: command path to its options; takes: to those that take a value; optvals: "path option" to the values;</li>
     *   <li>pos: "path index" (or "path *") to the positional's candidates, or one of @probes, @params, @inputs,
     *       @files;</li>
     *   <li>params: "probe:ID" or "run:NAME" to its parameters as {@code name=}; values: "probe:ID name" or
     *       "run:NAME name" to the values.</li>
     * </ul>
     */
    record Tables(Map<String, Map<String, List<String>>> all) {
        static Tables of(Reference ref) {
            Map<String, Map<String, List<String>>> t = new LinkedHashMap<>();
            for (String n : List.of("subs", "opts", "takes", "optvals", "pos", "params", "values")) t.put(n, new LinkedHashMap<>());
            for (Reference.Command c : ref.commands()) {
                String path = c.path();
                if (!path.isEmpty()) {
                    int sp = path.lastIndexOf(' ');
                    String parent = sp < 0 ? "" : path.substring(0, sp);
                    String desc = c.description().isEmpty() ? "" : c.description().getFirst();
                    t.get("subs").computeIfAbsent(parent, k -> new ArrayList<>()).add(path.substring(sp + 1) + "\t" + firstSentence(desc));
                }
                List<String> opts = new ArrayList<>();
                List<String> takes = new ArrayList<>();
                for (Reference.Option o : c.options()) {
                    for (String n : o.names()) {
                        opts.add(n + "\t" + firstSentence(o.description()));
                        if (o.takesValue()) {
                            takes.add(n);
                            if (!o.values().isEmpty()) t.get("optvals").put(path + " " + n, o.values());
                        }
                    }
                }
                t.get("opts").put(path, opts);
                if (!takes.isEmpty()) t.get("takes").put(path, takes);
                List<Reference.Positional> ps = c.positionals();
                for (int i = 0; i < ps.size(); i++) {
                    List<String> kind = positional(ref, path, i, ps.get(i));
                    if (!kind.isEmpty()) t.get("pos").put(path + " " + i, kind);
                }
                if (path.equals("probe") || path.equals("run")) t.get("pos").put(path + " *", List.of(path.equals("probe") ? "@params" : "@inputs"));
            }
            for (Reference.Probe p : ref.probes()) {
                params(t, "probe:" + p.id(), p.params());
            }
            for (Reference.Playbook b : ref.playbooks()) {
                params(t, "run:" + b.name(), b.inputs());
            }
            return new Tables(t);
        }

        private static void params(Map<String, Map<String, List<String>>> t, String key, List<Reference.Parameter> params) {
            t.get("params").put(key, params.stream().map(a -> a.name() + "=\t" + firstSentence(a.description())).toList());
            for (Reference.Parameter a : params) {
                if (!a.values().isEmpty()) t.get("values").put(key + " " + a.name(), a.values());
            }
        }

        /** What the {@code i}-th positional of {@code path} completes to. */
        private static List<String> positional(Reference ref, String path, int i, Reference.Positional p) {
            return switch (path + " " + i) {
                case "probe 0", "probes 0" -> ref.probes().stream().map(x -> x.id() + "\t" + x.summary()).toList();
                case "causes 0" -> ref.causes();
                case "run 0" -> {
                    List<String> out = new ArrayList<>(ref.playbooks().stream().map(Reference.Playbook::name).toList());
                    out.add("@files");
                    yield out;
                }
                case "help 0" -> {
                    List<String> out = new ArrayList<>();
                    ref.commands().stream().filter(c -> !c.path().isEmpty() && !c.path().contains(" ")).forEach(c -> out.add(c.path()));
                    Topics.all().forEach(x -> out.add(x.name() + "\t" + x.summary()));
                    yield out;
                }
                default -> !p.values().isEmpty() ? p.values()
                        : p.label().matches("FILE|JAR|DIR|PATH") ? List.of("@files") : List.of();
            };
        }
    }

    private static String firstSentence(String s) {
        String one = s.strip().replace('\t', ' ');
        int dot = one.indexOf(". ");
        if (dot > 0) one = one.substring(0, dot);
        if (one.endsWith(".")) one = one.substring(0, one.length() - 1);
        return one.length() > 70 ? one.substring(0, 67) + "..." : one;
    }

    // ---- bash -------------------------------------------------------------------------------------------------

    private static String bash(Tables t, String version) {
        StringBuilder s = new StringBuilder();
        s.append("# bash completion for reach ").append(version).append(", made by 'reach completion bash' from the command tree\n");
        s.append("# and the probes' specs. Install: source it from ~/.bashrc, or put it in /usr/share/bash-completion/completions/reach.\n\n");
        t.all().forEach((name, table) -> s.append(shCase("__reach_t_" + name, table)));
        s.append(SH_ENGINE);
        s.append("""
                _reach() {
                  local line=${COMP_LINE:0:COMP_POINT} cur= w
                  local -a words
                  read -ra words <<< "$line"
                  if [[ -z $line || $line == *[[:space:]] ]]; then cur=; else cur=${words[${#words[@]}-1]}; unset 'words[${#words[@]}-1]'; fi
                  local -a cands=() out=()
                  local strip= files=0
                  mapfile -t cands < <(__reach_candidates "$cur" "${words[@]:1}" | cut -f1)
                  [[ $cur == *=* && $COMP_WORDBREAKS == *=* ]] && strip=${cur%=*}=
                  for w in "${cands[@]}"; do
                    if [[ $w == @files ]]; then files=1; continue; fi
                    [[ $w == "$cur"* ]] && out+=("${w#"$strip"}")
                  done
                  if [[ $files == 1 ]]; then
                    compopt -o filenames 2>/dev/null
                    mapfile -t -O ${#out[@]} out < <(compgen -f -- "$cur")
                  fi
                  COMPREPLY=("${out[@]}")
                  [[ ${#out[@]} -eq 1 && ${out[0]} == *= ]] && compopt -o nospace 2>/dev/null
                  return 0
                }
                complete -F _reach reach
                """);
        return s.toString();
    }

    /** The walk and the lookup, in POSIX-ish shell that bash and zsh both run (zsh with KSH_ARRAYS off: 1-based). */
    private static final String SH_ENGINE = """
            # __reach_candidates CUR WORD...: the candidates for CUR after the words typed before it (reach itself left out),
            # one a line, value TAB description; a line @files means: and file names.
            __reach_candidates() {
              local cur=$1 cmd= first= prev= skip=0 pos=0 w kind
              shift
              for w in "$@"; do
                if [[ $skip == 1 ]]; then skip=0; prev=; continue; fi
                if [[ $w == -* ]]; then
                  if [[ $w != *=* ]] && __reach_t_takes "$cmd" | grep -qxF -- "$w"; then skip=1; prev=$w; fi
                  continue
                fi
                if [[ $pos == 0 ]] && __reach_t_subs "$cmd" | cut -f1 | grep -qxF -- "$w"; then
                  cmd=${cmd:+$cmd }$w; continue
                fi
                if [[ -z $cmd ]]; then cmd=diagnose; fi     # reach HOST:PORT is reach diagnose HOST:PORT
                [[ $pos == 0 ]] && first=$w
                pos=$((pos + 1))
              done
              if [[ $skip == 1 ]]; then
                kind=$(__reach_t_optvals "$cmd $prev")
                if [[ -n $kind ]]; then printf '%s\\n' "$kind"; else echo @files; fi
                return
              fi
              if [[ $cur == -* ]]; then __reach_t_opts "$cmd"; return; fi
              if [[ -z $cmd ]]; then __reach_t_subs ""; return; fi
              if [[ $pos == 0 ]]; then __reach_t_subs "$cmd"; fi
              kind=$(__reach_t_pos "$cmd $pos")
              [[ -z $kind ]] && kind=$(__reach_t_pos "$cmd *")
              case $kind in
                @params|@inputs)
                  local key=probe:$first
                  [[ $kind == @inputs ]] && key=run:$first
                  if [[ $cur == *=* ]]; then
                    __reach_t_values "$key ${cur%%=*}" | while IFS= read -r w; do printf '%s=%s\\n' "${cur%%=*}" "$w"; done
                  else
                    __reach_t_params "$key"
                  fi;;
                *) [[ -n $kind ]] && printf '%s\\n' "$kind";;
              esac
            }

            """;

    /** A lookup function in sh: case KEY in 'key') printf the lines;; esac. */
    private static String shCase(String fn, Map<String, List<String>> table) {
        StringBuilder s = new StringBuilder(fn + "() {\n  case $1 in\n");
        table.forEach((key, lines) -> {
            s.append("    ").append(sq(key)).append(") printf '%s\\n'");
            lines.forEach(l -> s.append(' ').append(sqTab(l)));
            s.append(";;\n");
        });
        return s.append("  esac\n}\n").toString();
    }

    /** Single-quoted for sh; a tab inside becomes $'\t' between quotes. */
    private static String sq(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String sqTab(String s) {
        return sq(s).replace("\t", "'$'\\t''");
    }

    // ---- zsh --------------------------------------------------------------------------------------------------

    private static String zsh(Tables t, String version) {
        StringBuilder s = new StringBuilder("#compdef reach\n");
        s.append("# zsh completion for reach ").append(version).append(", made by 'reach completion zsh' from the command tree\n");
        s.append("# and the probes' specs. Install: put it in a folder of $fpath as _reach (before compinit), or source it.\n\n");
        t.all().forEach((name, table) -> s.append(shCase("__reach_t_" + name, table)));
        s.append(SH_ENGINE.replace("local cur=$1 cmd=", "emulate -L zsh -o ksh_glob\n  local cur=$1 cmd="));
        s.append("""
                _reach() {
                  local cur=${words[CURRENT]}
                  local -a lines names plain
                  lines=("${(@f)$(__reach_candidates "$cur" "${(@)words[2,CURRENT-1]}")}")
                  local l v d files=0
                  for l in "${lines[@]}"; do
                    [[ -z $l ]] && continue
                    if [[ $l == @files ]]; then files=1; continue; fi
                    v=${l%%$'\\t'*}; d=
                    [[ $l == *$'\\t'* ]] && d=${l#*$'\\t'}
                    if [[ $v == *= ]]; then names+=("${v//:/\\\\:}${d:+:$d}"); else plain+=("${v//:/\\\\:}${d:+:$d}"); fi
                  done
                  (( ${#names} )) && _describe -t parameters 'parameter' names -S ''
                  (( ${#plain} )) && _describe -t values 'reach' plain
                  (( files )) && _files
                  return 0
                }
                if [[ ${funcstack[1]} == _reach ]]; then _reach "$@"; else compdef _reach reach; fi
                """);
        return s.toString();
    }

    // ---- fish -------------------------------------------------------------------------------------------------

    private static String fish(Tables t, String version) {
        StringBuilder s = new StringBuilder();
        s.append("# fish completion for reach ").append(version).append(", made by 'reach completion fish' from the command tree\n");
        s.append("# and the probes' specs. Install: put it in ~/.config/fish/completions/reach.fish (or a vendor_completions.d).\n\n");
        t.all().forEach((name, table) -> {
            s.append("function __reach_t_").append(name).append("\n    switch $argv[1]\n");
            table.forEach((key, lines) -> {
                s.append("        case ").append(fq(key)).append("\n            printf '%s\\n'");
                lines.forEach(l -> s.append(' ').append(fqTab(l)));
                s.append('\n');
            });
            s.append("    end\nend\n");
        });
        s.append("""
                function __reach_candidates
                    set -l cur $argv[1]
                    set -l cmd ''
                    set -l first ''
                    set -l prev ''
                    set -l skip 0
                    set -l pos 0
                    for w in $argv[2..-1]
                        if test $skip = 1
                            set skip 0
                            continue
                        end
                        if string match -q -- '-*' $w
                            if not string match -q -- '*=*' $w; and contains -- $w (__reach_t_takes "$cmd")
                                set skip 1
                                set prev $w
                            end
                            continue
                        end
                        if test $pos = 0; and contains -- $w (__reach_t_subs "$cmd" | string replace -r '\\t.*' '')
                            set cmd (string trim -- "$cmd $w")
                            continue
                        end
                        test -z "$cmd"; and set cmd diagnose
                        test $pos = 0; and set first $w
                        set pos (math $pos + 1)
                    end
                    if test $skip = 1
                        set -l vals (__reach_t_optvals "$cmd $prev")
                        if test (count $vals) -gt 0; printf '%s\\n' $vals; else; echo @files; end
                        return
                    end
                    if string match -q -- '-*' $cur; __reach_t_opts "$cmd"; return; end
                    if test -z "$cmd"; __reach_t_subs ''; return; end
                    test $pos = 0; and __reach_t_subs "$cmd"
                    set -l kind (__reach_t_pos "$cmd $pos")
                    test (count $kind) -eq 0; and set kind (__reach_t_pos "$cmd *")
                    switch "$kind[1]"
                        case @params @inputs
                            set -l key probe:$first
                            test $kind[1] = @inputs; and set key run:$first
                            if string match -q -- '*=*' $cur
                                set -l name (string split -m1 = -- $cur)[1]
                                for v in (__reach_t_values "$key $name")
                                    echo "$name=$v"
                                end
                            else
                                __reach_t_params $key
                            end
                        case '*'
                            test (count $kind) -gt 0; and printf '%s\\n' $kind
                    end
                end

                function __reach_complete
                    set -l lines (__reach_candidates (commandline -ct) (commandline -opc)[2..-1])
                    for l in $lines
                        if test "$l" = @files
                            __fish_complete_path (commandline -ct)
                        else
                            printf '%s\\n' $l
                        end
                    end
                end

                complete -c reach -f -a '(__reach_complete)'
                """);
        return s.toString();
    }

    private static String fq(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String fqTab(String s) {
        return fq(s).replace("\t", "'\\t'");
    }
}
