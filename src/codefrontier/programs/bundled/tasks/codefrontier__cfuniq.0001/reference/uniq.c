/* cfuniq: report or omit repeated adjacent lines (a small uniq). */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog;
static int count, only_dup, only_uniq, ignore_case, skip_fields, skip_chars, check_chars = -1;

static void usage(int status) {
    if (status) { fprintf(stderr, "Try '%s --help' for more information.\n", prog); exit(status); }
    printf("Usage: %s [OPTION]... [INPUT [OUTPUT]]\n", prog);
    printf("Filter adjacent matching lines from INPUT (or standard input),\n"
           "writing to OUTPUT (or standard output).\n\n");
    printf("  -c, --count           prefix lines by the number of occurrences\n"
           "  -d, --repeated        only print duplicate lines, one for each group\n"
           "  -u, --unique          only print unique lines\n"
           "  -i, --ignore-case     ignore differences in case when comparing\n"
           "  -f, --skip-fields=N   avoid comparing the first N fields\n"
           "  -s, --skip-chars=N    avoid comparing the first N characters\n"
           "  -w, --check-chars=N   compare no more than N characters in lines\n"
           "      --help            display this help and exit\n"
           "      --version         output version information and exit\n\n"
           "A field is a run of blanks, then non-blank characters.  Fields are skipped\n"
           "before characters.\n");
    exit(0);
}

static int number(const char *s, const char *what) {
    char *end; long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || v < 0 || v > 1000000) {
        fprintf(stderr, "%s: %s: invalid number of %s\n", prog, s, what); exit(1);
    }
    return (int)v;
}

static const char *key(const char *line, size_t len, size_t *klen) {
    const char *p = line, *end = line + len;
    for (int f = 0; f < skip_fields; f++) {
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        while (p < end && *p != ' ' && *p != '\t') p++;
    }
    for (int c = 0; c < skip_chars && p < end; c++) p++;
    *klen = (size_t)(end - p);
    if (check_chars >= 0 && *klen > (size_t)check_chars) *klen = (size_t)check_chars;
    return p;
}

static int same(const char *a, size_t an, const char *b, size_t bn) {
    size_t ak, bk; const char *ka = key(a, an, &ak), *kb = key(b, bn, &bk);
    if (ak != bk) return 0;
    for (size_t i = 0; i < ak; i++) {
        int x = (unsigned char)ka[i], y = (unsigned char)kb[i];
        if (ignore_case) { x = tolower(x); y = tolower(y); }
        if (x != y) return 0;
    }
    return 1;
}

static void emit(FILE *out, const char *line, size_t len, long n) {
    if ((only_dup && n < 2) || (only_uniq && n > 1)) return;
    if (count) fprintf(out, "%7ld ", n);
    fwrite(line, 1, len, out); fputc('\n', out);
}

int main(int argc, char **argv) {
    static struct option longs[] = {
        {"count", no_argument, 0, 'c'}, {"repeated", no_argument, 0, 'd'}, {"unique", no_argument, 0, 'u'},
        {"ignore-case", no_argument, 0, 'i'}, {"skip-fields", required_argument, 0, 'f'},
        {"skip-chars", required_argument, 0, 's'}, {"check-chars", required_argument, 0, 'w'},
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    int opt;
    prog = argv[0];
    while ((opt = getopt_long(argc, argv, "cduif:s:w:", longs, NULL)) != -1) {
        switch (opt) {
        case 'c': count = 1; break;
        case 'd': only_dup = 1; break;
        case 'u': only_uniq = 1; break;
        case 'i': ignore_case = 1; break;
        case 'f': skip_fields = number(optarg, "fields to skip"); break;
        case 's': skip_chars = number(optarg, "bytes to skip"); break;
        case 'w': check_chars = number(optarg, "bytes to compare"); break;
        case 'h': usage(0); break;
        case 'V': printf("cfuniq 2.0\n"); return 0;
        default: usage(1);
        }
    }
    if (argc - optind > 2) { fprintf(stderr, "%s: extra operand '%s'\n", prog, argv[optind + 2]); usage(1); }
    FILE *in = stdin, *out = stdout;
    if (optind < argc && strcmp(argv[optind], "-") != 0) {
        in = fopen(argv[optind], "rb");
        if (!in) { fprintf(stderr, "%s: %s: No such file or directory\n", prog, argv[optind]); return 1; }
    }
    if (optind + 1 < argc) {
        out = fopen(argv[optind + 1], "wb");
        if (!out) { fprintf(stderr, "%s: %s: cannot open for writing\n", prog, argv[optind + 1]); return 1; }
    }
    if (count && only_dup && only_uniq) return 0;
    char *prev = NULL, *line = NULL; size_t pcap = 0, cap = 0, plen = 0; ssize_t n; long run = 0;
    while ((n = getline(&line, &cap, in)) > 0) {
        if (line[n - 1] == '\n') n--;
        if (run && same(prev, plen, line, (size_t)n)) { run++; continue; }
        if (run) emit(out, prev, plen, run);
        if (pcap < (size_t)n + 1) { pcap = (size_t)n + 1; prev = realloc(prev, pcap); }
        memcpy(prev, line, (size_t)n); plen = (size_t)n; run = 1;
    }
    if (run) emit(out, prev, plen, run);
    free(prev); free(line);
    if (out != stdout) fclose(out);
    return 0;
}
