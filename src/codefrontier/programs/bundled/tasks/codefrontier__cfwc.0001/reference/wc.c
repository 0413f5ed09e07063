/* cfwc: count lines, words, bytes, characters and the longest line (a small wc). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog;
static int want_l, want_w, want_c, want_m, want_L, total_mode = 'a'; /* a=auto n=never y=always o=only */

struct counts { long lines, words, bytes, chars, longest; };

static void usage(int status) {
    if (status) { fprintf(stderr, "Try '%s --help' for more information.\n", prog); exit(status); }
    printf("Usage: %s [OPTION]... [FILE]...\n", prog);
    printf("Print newline, word, and byte counts for each FILE, and a total line if\n"
           "more than one FILE is specified.  A word is a non-empty sequence of\n"
           "characters delimited by white space.  With no FILE, or when FILE is -,\n"
           "read standard input.\n\n");
    printf("  -c, --bytes            print the byte counts\n"
           "  -m, --chars            print the character counts (UTF-8)\n"
           "  -l, --lines            print the newline counts\n"
           "  -w, --words            print the word counts\n"
           "  -L, --max-line-length  print the maximum display width\n"
           "      --total=WHEN       when to print a line with total counts;\n"
           "                         WHEN can be: auto, always, only, never\n"
           "      --help             display this help and exit\n"
           "      --version          output version information and exit\n");
    exit(0);
}

static int count(FILE *f, struct counts *c) {
    int ch, inword = 0; long width = 0;
    memset(c, 0, sizeof *c);
    while ((ch = getc(f)) != EOF) {
        c->bytes++;
        if ((ch & 0xC0) != 0x80) c->chars++;
        if (ch == '\n') { c->lines++; if (width > c->longest) c->longest = width; width = 0; }
        else if (ch == '\t') width += 8 - width % 8;
        else if ((ch & 0xC0) != 0x80 && ch >= 32) width++;
        if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f') inword = 0;
        else if (!inword) { inword = 1; c->words++; }
    }
    if (width > c->longest) c->longest = width;
    return ferror(f) ? -1 : 0;
}

static void print(const struct counts *c, const char *name) {
    const char *sep = "";
    if (want_l) { printf("%s%7ld", sep, c->lines); sep = " "; }
    if (want_w) { printf("%s%7ld", sep, c->words); sep = " "; }
    if (want_m) { printf("%s%7ld", sep, c->chars); sep = " "; }
    if (want_c) { printf("%s%7ld", sep, c->bytes); sep = " "; }
    if (want_L) { printf("%s%7ld", sep, c->longest); sep = " "; }
    if (name) printf(" %s", name);
    printf("\n");
}

int main(int argc, char **argv) {
    static struct option longs[] = {
        {"bytes", no_argument, 0, 'c'}, {"chars", no_argument, 0, 'm'}, {"lines", no_argument, 0, 'l'},
        {"words", no_argument, 0, 'w'}, {"max-line-length", no_argument, 0, 'L'},
        {"total", required_argument, 0, 'T'}, {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    int opt, status = 0;
    prog = argv[0];
    while ((opt = getopt_long(argc, argv, "cmlwL", longs, NULL)) != -1) {
        switch (opt) {
        case 'c': want_c = 1; break;
        case 'm': want_m = 1; break;
        case 'l': want_l = 1; break;
        case 'w': want_w = 1; break;
        case 'L': want_L = 1; break;
        case 'T':
            if (!strcmp(optarg, "auto")) total_mode = 'a';
            else if (!strcmp(optarg, "always")) total_mode = 'y';
            else if (!strcmp(optarg, "only")) total_mode = 'o';
            else if (!strcmp(optarg, "never")) total_mode = 'n';
            else { fprintf(stderr, "%s: invalid argument '%s' for '--total'\n", prog, optarg); usage(1); }
            break;
        case 'h': usage(0); break;
        case 'V': printf("cfwc 1.2\n"); return 0;
        default: usage(1);
        }
    }
    if (!(want_c || want_m || want_l || want_w || want_L)) want_l = want_w = want_c = 1;
    struct counts c, total = {0, 0, 0, 0, 0};
    int nfiles = argc - optind;
    for (int i = optind; i < argc || (nfiles == 0 && i == optind); i++) {
        const char *name = nfiles ? argv[i] : NULL;
        FILE *f = (!name || !strcmp(name, "-")) ? stdin : fopen(name, "rb");
        if (!f) { fprintf(stderr, "%s: %s: No such file or directory\n", prog, name); status = 1; continue; }
        if (count(f, &c) < 0) { fprintf(stderr, "%s: %s: read error\n", prog, name ? name : "-"); status = 1; }
        if (f != stdin) fclose(f);
        total.lines += c.lines; total.words += c.words; total.bytes += c.bytes; total.chars += c.chars;
        if (c.longest > total.longest) total.longest = c.longest;
        if (total_mode != 'o') print(&c, name);
        if (!nfiles) break;
    }
    if (total_mode == 'y' || total_mode == 'o' || (total_mode == 'a' && nfiles > 1))
        print(&total, total_mode == 'o' ? NULL : "total");
    return status;
}
