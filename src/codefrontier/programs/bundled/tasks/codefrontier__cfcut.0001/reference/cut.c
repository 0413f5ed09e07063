/* cfcut: print selected fields or characters of each line (a small cut). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog;
static char mode; /* 'f' fields, 'c' characters */
static char delim = '\t';
static const char *out_delim;
static int only_delimited, complement;
static int ranges[64][2], nranges;

static void usage(int status) {
    if (status) { fprintf(stderr, "Try '%s --help' for more information.\n", prog); exit(status); }
    printf("Usage: %s OPTION... [FILE]...\n", prog);
    printf("Print selected parts of lines from each FILE to standard output.\n"
           "With no FILE, or when FILE is -, read standard input.\n\n");
    printf("  -c, --characters=LIST     select only these characters\n"
           "  -d, --delimiter=DELIM     use DELIM instead of TAB for field delimiter\n"
           "  -f, --fields=LIST         select only these fields; also print any line\n"
           "                            that contains no delimiter character, unless\n"
           "                            the -s option is specified\n"
           "      --complement          complement the set of selected fields or characters\n"
           "  -s, --only-delimited      do not print lines not containing delimiters\n"
           "      --output-delimiter=STRING  use STRING as the output delimiter\n"
           "      --help                display this help and exit\n"
           "      --version             output version information and exit\n\n"
           "LIST is made up of one range, or many ranges separated by commas:\n"
           "  N     N'th field or character, counted from 1\n"
           "  N-    from N'th to end of line\n"
           "  N-M   from N'th to M'th (included)\n"
           "  -M    from first to M'th (included)\n");
    exit(0);
}

static void parse_list(const char *s) {
    const char *p = s;
    while (*p) {
        int lo = 1, hi = 1 << 30; char *end;
        if (nranges >= 64) { fprintf(stderr, "%s: too many ranges\n", prog); exit(1); }
        if (*p == '-') { p++; hi = (int)strtol(p, &end, 10); if (end == p) goto bad; p = end; }
        else {
            lo = (int)strtol(p, &end, 10); if (end == p) goto bad; p = end;
            if (*p == '-') { p++; if (*p >= '0' && *p <= '9') { hi = (int)strtol(p, &end, 10); p = end; } }
            else hi = lo;
        }
        if (lo < 1) { fprintf(stderr, "%s: fields and positions are numbered from 1\n", prog); exit(1); }
        if (hi < lo) { fprintf(stderr, "%s: invalid decreasing range\n", prog); exit(1); }
        ranges[nranges][0] = lo; ranges[nranges][1] = hi; nranges++;
        if (*p == ',') p++; else if (*p) goto bad;
    }
    if (nranges) return;
bad:
    fprintf(stderr, "%s: invalid field value '%s'\n", prog, s);
    usage(1);
}

static int selected(int n) {
    int in = 0;
    for (int i = 0; i < nranges; i++) if (n >= ranges[i][0] && n <= ranges[i][1]) in = 1;
    return in != complement;
}

static void cut_line(char *line, size_t len) {
    if (mode == 'c') {
        int first = 1;
        for (size_t i = 0; i < len; i++) if (selected((int)i + 1)) {
            if (out_delim && !first && !selected((int)i)) fputs(out_delim, stdout);
            putchar(line[i]); first = 0;
        }
        putchar('\n');
        return;
    }
    if (!memchr(line, delim, len)) { if (!only_delimited) { fwrite(line, 1, len, stdout); putchar('\n'); } return; }
    int field = 1, printed = 0; size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || line[i] == delim) {
            if (selected(field)) {
                if (printed) { if (out_delim) fputs(out_delim, stdout); else putchar(delim); }
                fwrite(line + start, 1, i - start, stdout); printed = 1;
            }
            field++; start = i + 1;
        }
    }
    putchar('\n');
}

int main(int argc, char **argv) {
    static struct option longs[] = {
        {"characters", required_argument, 0, 'c'}, {"delimiter", required_argument, 0, 'd'},
        {"fields", required_argument, 0, 'f'}, {"only-delimited", no_argument, 0, 's'},
        {"complement", no_argument, 0, 'C'}, {"output-delimiter", required_argument, 0, 'O'},
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    int opt, status = 0;
    prog = argv[0];
    while ((opt = getopt_long(argc, argv, "c:d:f:s", longs, NULL)) != -1) {
        switch (opt) {
        case 'c': case 'f':
            if (mode) { fprintf(stderr, "%s: only one type of list may be specified\n", prog); usage(1); }
            mode = (char)opt; parse_list(optarg); break;
        case 'd':
            if (strlen(optarg) != 1) { fprintf(stderr, "%s: the delimiter must be a single character\n", prog); usage(1); }
            delim = optarg[0]; break;
        case 's': only_delimited = 1; break;
        case 'C': complement = 1; break;
        case 'O': out_delim = optarg; break;
        case 'h': usage(0); break;
        case 'V': printf("cfcut 0.9\n"); return 0;
        default: usage(1);
        }
    }
    if (!mode) { fprintf(stderr, "%s: you must specify a list of characters or fields\n", prog); usage(1); }
    char *line = NULL; size_t cap = 0; ssize_t n;
    int nfiles = argc - optind;
    for (int i = optind; i < argc || (nfiles == 0 && i == optind); i++) {
        const char *name = nfiles ? argv[i] : "-";
        FILE *f = !strcmp(name, "-") ? stdin : fopen(name, "rb");
        if (!f) { fprintf(stderr, "%s: %s: No such file or directory\n", prog, name); status = 1; continue; }
        while ((n = getline(&line, &cap, f)) > 0) {
            if (line[n - 1] == '\n') n--;
            cut_line(line, (size_t)n);
        }
        if (f != stdin) fclose(f);
        if (!nfiles) break;
    }
    free(line);
    return status;
}
