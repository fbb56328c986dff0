# bash completion for migcompat                                    -*- shell-script -*-
# Installed as /usr/share/bash-completion/completions/migcompat. Nothing here lists commands or
# options: the command line itself answers through System.CommandLine's [suggest] directive
# (`migcompat "[suggest:POSITION]" "partial command line"` prints what may come next, one per line),
# so the completion follows the command tree of the installed binary.

_migcompat()
{
    local cur="${COMP_WORDS[COMP_CWORD]}"
    # The line up to the cursor, without the program name as typed (migcompat, /usr/bin/migcompat, ...).
    local line="${COMP_LINE:0:COMP_POINT}"
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line#"${COMP_WORDS[0]}"}"
    line="${line#"${line%%[![:space:]]*}"}"

    local suggestions word words=() commands=0
    suggestions=$("${COMP_WORDS[0]}" "[suggest:${#line}]" "$line" 2>/dev/null) || suggestions=""
    while IFS= read -r word; do
        case "$word" in
            ''|'-?'|'/?'|'/h') continue ;;   # help aliases: --help and -h are enough on a Unix shell
            -*) ;;
            *) commands=1 ;;
        esac
        [[ "$word" == "$cur"* ]] && words+=("$word")
    done <<< "$suggestions"

    COMPREPLY=("${words[@]}")
    # A word that is not an option and matches no command, subcommand or value: a file name
    # (descriptors, inventories, directories).
    if [[ "$cur" != -* ]] && { [[ ${#COMPREPLY[@]} -eq 0 ]] || [[ $commands -eq 0 ]]; }; then
        local IFS=$'\n'
        COMPREPLY+=($(compgen -f -- "$cur")) || true
        compopt -o filenames 2>/dev/null || true
    fi
}
complete -F _migcompat migcompat
