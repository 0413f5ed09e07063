/* cfnl: number lines of files (a small nl). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog;

static void usage(int status) {
    if (status) { fprintf(stderr, "Try '%s --help' for more information.\n", prog); exit(status); }
    printf("Usage: %s [OPTION]... [FILE]...\n", prog);
    printf("Write each FILE to standard output, with line numbers added.\n"
           "With no FILE, or when FILE is -, read standard input.\n\n");
    printf("  -b, --body-numbering=STYLE      use STYLE for numbering body lines\n"
           "  -i, --line-increment=NUMBER     line number increment at each line\n"
           "  -n, --number-format=FORMAT      insert line numbers according to FORMAT\n"
           "  -s, --number-separator=STRING   add STRING after (possible) line number\n"
           "  -v, --starting-line-number=NUMBER  first line number\n"
           "  -w, --number-width=NUMBER       use NUMBER columns for line numbers\n"
           "      --help     display this help and exit\n"
           "      --version  output version information and exit\n\n"
           "Default options are: -bt -i1 -nrn -s<TAB> -v1 -w6\n\n"
           "STYLE is one of:\n"
           "  a      number all lines\n"
           "  t      number only nonempty lines\n"
           "  n      number no lines\n\n"
           "FORMAT is one of:\n"
           "  ln     left justified, no leading zeros\n"
           "  rn     right justified, no leading zeros\n"
           "  rz     right justified, leading zeros\n");
    exit(0);
}

static long number(const char *s, const char *what, long lo) {
    char *end; long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || v < lo || v > 1000000000L) { fprintf(stderr, "%s: invalid %s: '%s'\n", prog, what, s); exit(1); }
    return v;
}

int main(int argc, char **argv) {
    static struct option longs[] = {
        {"body-numbering", required_argument, 0, 'b'}, {"line-increment", required_argument, 0, 'i'},
        {"number-format", required_argument, 0, 'n'}, {"number-separator", required_argument, 0, 's'},
        {"starting-line-number", required_argument, 0, 'v'}, {"number-width", required_argument, 0, 'w'},
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    int opt, status = 0; char style = 't'; const char *format = "rn", *sep = "\t";
    long incr = 1, start = 1, width = 6;
    prog = argv[0];
    while ((opt = getopt_long(argc, argv, "b:i:n:s:v:w:", longs, NULL)) != -1) {
        switch (opt) {
        case 'b':
            if (strlen(optarg) != 1 || !strchr("atn", optarg[0])) { fprintf(stderr, "%s: invalid body numbering style: '%s'\n", prog, optarg); return 1; }
            style = optarg[0]; break;
        case 'i': incr = number(optarg, "line number increment", 0); break;
        case 'n':
            if (strcmp(optarg, "ln") && strcmp(optarg, "rn") && strcmp(optarg, "rz")) { fprintf(stderr, "%s: invalid line number format: '%s'\n", prog, optarg); return 1; }
            format = optarg; break;
        case 's': sep = optarg; break;
        case 'v': start = number(optarg, "starting line number", -1000000000L); break;
        case 'w': width = number(optarg, "line number field width", 1); if (width > 100) width = 100; break;
        case 'h': usage(0); break;
        case 'V': printf("cfnl 0.5\n"); return 0;
        default: usage(1);
        }
    }
    long num = start; char *line = NULL; size_t cap = 0; ssize_t n;
    int nfiles = argc - optind;
    for (int i = optind; i < argc || (nfiles == 0 && i == optind); i++) {
        const char *name = nfiles ? argv[i] : "-";
        FILE *f = !strcmp(name, "-") ? stdin : fopen(name, "rb");
        if (!f) { fprintf(stderr, "%s: %s: No such file or directory\n", prog, name); status = 1; continue; }
        while ((n = getline(&line, &cap, f)) > 0) {
            int newline = line[n - 1] == '\n';
            size_t len = (size_t)n - (size_t)newline;
            int numbered = style == 'a' || (style == 't' && len > 0);
            if (numbered) {
                if (!strcmp(format, "ln")) printf("%-*ld", (int)width, num);
                else if (!strcmp(format, "rz")) printf(num < 0 ? "-%0*ld" : "%0*ld", num < 0 ? (int)width - 1 : (int)width, num < 0 ? -num : num);
                else printf("%*ld", (int)width, num);
                fputs(sep, stdout);
                num += incr;
            } else {
                printf("%*s", (int)(width + (long)strlen(sep)), "");
            }
            fwrite(line, 1, len, stdout);
            putchar('\n');
        }
        if (f != stdin) fclose(f);
        if (!nfiles) break;
    }
    free(line);
    return status;
}
