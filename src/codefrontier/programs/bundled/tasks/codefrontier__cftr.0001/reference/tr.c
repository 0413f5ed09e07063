/* cftr: translate, squeeze or delete characters (a small tr). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog;

static void usage(int status) {
    if (status) { fprintf(stderr, "Try '%s --help' for more information.\n", prog); exit(status); }
    printf("Usage: %s [OPTION]... SET1 [SET2]\n", prog);
    printf("Translate, squeeze, and/or delete characters from standard input,\n"
           "writing to standard output.\n\n");
    printf("  -c, --complement      use the complement of SET1\n"
           "  -d, --delete          delete characters in SET1, do not translate\n"
           "  -s, --squeeze-repeats replace each sequence of a repeated character\n"
           "                        that is listed in the last specified SET,\n"
           "                        with a single occurrence of that character\n"
           "      --help            display this help and exit\n"
           "      --version         output version information and exit\n\n"
           "SETs are specified as strings of characters.  Interpreted sequences are:\n"
           "  \\n  new line     \\t  horizontal tab     \\\\  backslash\n"
           "  CHAR1-CHAR2  all characters from CHAR1 to CHAR2 in ascending order\n"
           "  [:alpha:] [:digit:] [:lower:] [:upper:] [:space:]  character classes\n"
           "SET2 is extended to the length of SET1 by repeating its last character.\n");
    exit(0);
}

static int expand(const char *s, unsigned char *out) {
    int n = 0;
    static const struct { const char *name; const char *chars; } classes[] = {
        {"[:alpha:]", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}, {"[:digit:]", "0123456789"},
        {"[:lower:]", "abcdefghijklmnopqrstuvwxyz"}, {"[:upper:]", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
        {"[:space:]", " \t\n\r\f\v"}};
    while (*s && n < 4096) {
        int matched = 0;
        for (size_t k = 0; k < sizeof classes / sizeof classes[0]; k++) {
            size_t len = strlen(classes[k].name);
            if (!strncmp(s, classes[k].name, len)) {
                for (const char *c = classes[k].chars; *c && n < 4096; c++) out[n++] = (unsigned char)*c;
                s += len; matched = 1; break;
            }
        }
        if (matched) continue;
        if (!strncmp(s, "[:", 2) && strstr(s, ":]")) {
            fprintf(stderr, "%s: invalid character class '%.*s'\n", prog, (int)(strstr(s, ":]") - s + 2), s); exit(1);
        }
        unsigned char c = (unsigned char)*s++;
        if (c == '\\' && *s) {
            char e = *s++;
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : (unsigned char)e;
        }
        if (*s == '-' && s[1]) {
            unsigned char hi = (unsigned char)s[1];
            if (hi == '\\' && s[2]) { char e = s[2]; hi = e == 'n' ? '\n' : e == 't' ? '\t' : (unsigned char)e; s++; }
            s += 2;
            if (hi < c) { fprintf(stderr, "%s: range-endpoints of '%c-%c' are in reverse collating sequence order\n", prog, c, hi); exit(1); }
            for (int x = c; x <= hi && n < 4096; x++) out[n++] = (unsigned char)x;
            continue;
        }
        out[n++] = c;
    }
    return n;
}

int main(int argc, char **argv) {
    static struct option longs[] = {
        {"complement", no_argument, 0, 'c'}, {"delete", no_argument, 0, 'd'}, {"squeeze-repeats", no_argument, 0, 's'},
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    int opt, comp = 0, del = 0, squeeze = 0;
    prog = argv[0];
    while ((opt = getopt_long(argc, argv, "cds", longs, NULL)) != -1) {
        switch (opt) {
        case 'c': comp = 1; break;
        case 'd': del = 1; break;
        case 's': squeeze = 1; break;
        case 'h': usage(0); break;
        case 'V': printf("cftr 3.1\n"); return 0;
        default: usage(1);
        }
    }
    int nsets = argc - optind;
    int need = (del && !squeeze) ? 1 : (del && squeeze) ? 2 : squeeze ? 1 : 2;
    if (nsets < need) {
        if (nsets == 0) fprintf(stderr, "%s: missing operand\n", prog);
        else fprintf(stderr, "%s: missing operand after '%s'\n", prog, argv[argc - 1]);
        usage(1);
    }
    if (nsets > 2 || (del && !squeeze && nsets > 1)) {
        fprintf(stderr, "%s: extra operand '%s'\n", prog, argv[optind + need]); usage(1);
    }
    static unsigned char s1[4096], s2[4096];
    int n1 = expand(argv[optind], s1), n2 = nsets > 1 ? expand(argv[optind + 1], s2) : 0;
    unsigned char in1[256] = {0}, insq[256] = {0}, map[256];
    for (int i = 0; i < n1; i++) in1[s1[i]] = 1;
    if (comp) for (int i = 0; i < 256; i++) in1[i] = !in1[i];
    for (int i = 0; i < 256; i++) map[i] = (unsigned char)i;
    int translate = !del && nsets == 2;
    if (translate) {
        if (n2 == 0) { fprintf(stderr, "%s: when not truncating set1, string2 must be non-empty\n", prog); return 1; }
        if (comp) { for (int i = 0; i < 256; i++) if (in1[i]) map[i] = s2[n2 - 1]; }
        else for (int i = 0; i < n1; i++) map[s1[i]] = s2[i < n2 ? i : n2 - 1];
    }
    const unsigned char *sqset = (nsets == 2) ? s2 : s1; int sqn = (nsets == 2) ? n2 : n1;
    if (squeeze) {
        if (nsets == 1 && comp) { for (int i = 0; i < 256; i++) insq[i] = in1[i]; }
        else for (int i = 0; i < sqn; i++) insq[sqset[i]] = 1;
    }
    int ch, last = -1;
    while ((ch = getchar()) != EOF) {
        if (del && in1[ch]) continue;
        int out = translate ? map[ch] : ch;
        if (squeeze && out == last && insq[out]) continue;
        putchar(out); last = out;
    }
    return 0;
}
