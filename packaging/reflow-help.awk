# Re-wraps `--help` text (wrapped at 110 columns by the CLI) to fit a man page on an 80-column
# terminal: table entries (a term, two or more blanks, a description) keep their hanging indent,
# description paragraphs are joined and refilled, long example command lines are continued with " \".
BEGIN { W = 72 }
function wrap(prefix, text, hang, cont,   pad, n, words, i, line, first) {
  pad = sprintf("%" hang "s", "")
  n = split(text, words, / +/)
  line = prefix; first = 1
  for (i = 1; i <= n; i++) {
    if (words[i] == "") continue
    if (!first && length(line) + 1 + length(words[i]) + length(cont) > W) { print line cont; line = pad words[i] }
    else line = first ? line words[i] : line " " words[i]
    first = 0
  }
  print line
}
function flush() { if (buf != "") wrap(prefix, buf, hang, ""); buf = ""; table = 0 }
{ sub(/[ \t]+$/, "") }
/^$/ { flush(); print ""; section = ""; next }
/^[A-Z][A-Za-z ]*:$/ { flush(); print; section = $0; next }
{
  match($0, /^ */); lead = RLENGTH; text = substr($0, lead + 1)
  if (section == "Description:") {
    if (buf == "") { prefix = substr($0, 1, lead); hang = lead; buf = text } else buf = buf " " text
    next
  }
  if (section == "Examples:") {
    flush()
    if (length($0) <= W) print; else wrap(substr($0, 1, lead), text, lead + 4, " \\")
    next
  }
  if (buf != "" && table && lead == hang) { buf = buf " " text; next }
  flush()
  if (match($0, /^ +[^ ]([^ ]| [^ ])*  +/)) { prefix = substr($0, 1, RLENGTH); hang = RLENGTH; buf = substr($0, RLENGTH + 1); table = 1; next }
  if (length($0) > W) wrap(substr($0, 1, lead), text, lead, ""); else print
}
END { flush() }
