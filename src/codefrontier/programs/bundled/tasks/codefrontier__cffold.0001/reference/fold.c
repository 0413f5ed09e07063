/* cffold: wrap each input line to fit in a given width (a small fold). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog;

static void usage(int status) {
    if (status) { fprintf(stderr, "Try '%s --help' for more information.\n", prog); exit(status); }
    printf("Usage: %s [OPTION]... [FILE]...\n", prog);
    printf("Wrap input lines in each FILE, writing to standard output.\n"
           "With no FILE, or when FILE is -, read standard input.\n\n");
    printf("  -b, --bytes         count bytes rather than columns\n"
           "  -s, --spaces        break at spaces\n"
           "  -w, --width=WIDTH   use WIDTH columns instead of 80\n"
           "      --help          display this help and exit\n"
           "      --version       output version information and exit\n");
    exit(0);
}

static long width = 80; static int bytes, spaces;

static long advance(long col, unsigned char c) {
    if (bytes) return col + 1;
    if (c == '\t') return col + 8 - col % 8;
    if (c == '\b') return col > 0 ? col - 1 : 0;
    if (c == '\r') return 0;
    return col + 1;
}

static void fold_line(const unsigned char *s, size_t len) {
    size_t start = 0; long col = 0; size_t i = start;
    while (i < len) {
        long next = advance(col, s[i]);
        if (next > width && i > start) {
            size_t cut = i;
            if (spaces) {
                size_t k = i; while (k > start && s[k - 1] != ' ') k--;
                if (k > start) cut = k;
            }
            fwrite(s + start, 1, cut - start, stdout); putchar('\n');
            start = cut; col = 0;
            for (size_t k = start; k < i; k++) col = advance(col, s[k]);
            continue;
        }
        col = next; i++;
    }
    fwrite(s + start, 1, len - start, stdout);
}

int main(int argc, char **argv) {
    static struct option longs[] = {
        {"bytes", no_argument, 0, 'b'}, {"spaces", no_argument, 0, 's'}, {"width", required_argument, 0, 'w'},
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    int opt, status = 0;
    prog = argv[0];
    while ((opt = getopt_long(argc, argv, "bsw:", longs, NULL)) != -1) {
        switch (opt) {
        case 'b': bytes = 1; break;
        case 's': spaces = 1; break;
        case 'w': {
            char *end; width = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || width < 1 || width > 100000) { fprintf(stderr, "%s: invalid number of columns: '%s'\n", prog, optarg); return 1; }
            break;
        }
        case 'h': usage(0); break;
        case 'V': printf("cffold 1.1\n"); return 0;
        default: usage(1);
        }
    }
    char *line = NULL; size_t cap = 0; ssize_t n;
    int nfiles = argc - optind;
    for (int i = optind; i < argc || (nfiles == 0 && i == optind); i++) {
        const char *name = nfiles ? argv[i] : "-";
        FILE *f = !strcmp(name, "-") ? stdin : fopen(name, "rb");
        if (!f) { fprintf(stderr, "%s: %s: No such file or directory\n", prog, name); status = 1; continue; }
        while ((n = getline(&line, &cap, f)) > 0) {
            int newline = line[n - 1] == '\n';
            fold_line((unsigned char *)line, (size_t)n - (size_t)newline);
            if (newline) putchar('\n');
        }
        if (f != stdin) fclose(f);
        if (!nfiles) break;
    }
    free(line);
    return status;
}
