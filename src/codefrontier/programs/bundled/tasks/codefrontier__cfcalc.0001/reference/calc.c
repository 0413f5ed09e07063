/* cfcalc: evaluate arithmetic expressions, one per line (a small calculator).
 * Grammar:  line := NAME '=' expr | expr
 *           expr := term (('+'|'-') term)*     term := unary (('*'|'/'|'%') unary)*
 *           unary := '-' unary | power         power := atom ('^' unary)?
 *           atom := NUMBER | NAME | '(' expr ')' | FUNC '(' expr ')'   FUNC := abs | sqrt */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog;
static const char *p;
static int precision = 6, err;
static char errmsg[128];
static struct { char name[32]; double value; } vars[64];
static int nvars;

static void usage(int status) {
    if (status) { fprintf(stderr, "Try '%s --help' for more information.\n", prog); exit(status); }
    printf("Usage: %s [OPTION]... [FILE]\n", prog);
    printf("Evaluate arithmetic expressions, one per line, from FILE or standard input,\n"
           "and print each result.  Lines may assign variables: NAME = EXPRESSION.\n\n");
    printf("  -e, --expression=EXPR  evaluate EXPR instead of reading input\n"
           "  -p, --precision=DIGITS print results with at most DIGITS decimals (default 6)\n"
           "  -q, --quiet            do not print results of assignments\n"
           "      --help             display this help and exit\n"
           "      --version          output version information and exit\n\n"
           "EXPRESSION grammar: numbers (42, 3.5), variables, + - * / %% ^ (power),\n"
           "parentheses, unary minus, abs(X), sqrt(X); exponents are whole\n"
           "numbers.  Lines starting with # are comments.\n"
           "Exit status is 1 if any line had an error, 0 otherwise.\n");
    exit(0);
}

/* No libm: the few functions the grammar needs, written out (same results everywhere). */
static double absval(double x) { return x < 0 ? -x : x; }
static double root(double x) {
    if (x == 0) return 0;
    double r = x > 1 ? x : 1;
    for (int i = 0; i < 200; i++) { double next = 0.5 * (r + x / r); if (next == r) break; r = next; }
    return r;
}
static double remainder_of(double a, double b) {
    double q = a / b;
    if (q > 9e15 || q < -9e15) return 0;
    return a - b * (double)(long long)q;
}
static int is_finite(double x) { return x == x && x - x == 0; }

static void fail(const char *msg) { if (!err) { err = 1; snprintf(errmsg, sizeof errmsg, "%s", msg); } }
static void skip(void) { while (*p == ' ' || *p == '\t') p++; }
static double expr(void);

static double atom(void) {
    skip();
    if (*p == '(') { p++; double v = expr(); skip(); if (*p != ')') fail("expected ')'"); else p++; return v; }
    if ((*p >= '0' && *p <= '9') || *p == '.') { char *end; double v = strtod(p, &end); if (end == p) fail("bad number"); p = end; return v; }
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_') {
        char name[32]; int n = 0;
        while (((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_')) { if (n < 31) name[n++] = *p; p++; }
        name[n] = 0; skip();
        if (*p == '(' && (!strcmp(name, "abs") || !strcmp(name, "sqrt"))) {
            p++; double v = expr(); skip(); if (*p != ')') { fail("expected ')'"); return 0; } p++;
            if (!strcmp(name, "abs")) return absval(v);
            if (v < 0) { fail("square root of a negative number"); return 0; }
            return root(v);
        }
        for (int i = 0; i < nvars; i++) if (!strcmp(vars[i].name, name)) return vars[i].value;
        char msg[80]; snprintf(msg, sizeof msg, "unknown variable '%s'", name); fail(msg); return 0;
    }
    if (*p == 0) fail("unexpected end of expression"); else { char msg[40]; snprintf(msg, sizeof msg, "unexpected '%c'", *p); fail(msg); }
    return 0;
}

static double unary(void);
static double power(void) {
    double base = atom(); skip();
    if (*p == '^') {
        p++; double e = unary();
        if (e != (double)(long long)e || e > 1000 || e < -1000) { fail("exponent must be a whole number from -1000 to 1000"); return 0; }
        long long k = (long long)e; double r = 1;
        for (long long i = 0; i < (k < 0 ? -k : k); i++) r *= base;
        if (k < 0) { if (r == 0) { fail("division by zero"); return 0; } r = 1 / r; }
        return r;
    }
    return base;
}
static double unary(void) { skip(); if (*p == '-') { p++; return -unary(); } if (*p == '+') { p++; return unary(); } return power(); }
static double term(void) {
    double v = unary();
    for (;;) {
        skip(); char op = *p;
        if (op != '*' && op != '/' && op != '%') return v;
        p++; double r = unary();
        if ((op == '/' || op == '%') && r == 0) { fail("division by zero"); return 0; }
        v = op == '*' ? v * r : op == '/' ? v / r : remainder_of(v, r);
    }
}
static double expr(void) {
    double v = term();
    for (;;) { skip(); if (*p == '+') { p++; v += term(); } else if (*p == '-') { p++; v -= term(); } else return v; }
}

static void print_value(double v) {
    char buf[64];
    if (v == 0) v = 0; /* no negative zero */
    snprintf(buf, sizeof buf, "%.*f", precision, v);
    if (strchr(buf, '.')) { char *e = buf + strlen(buf) - 1; while (*e == '0') *e-- = 0; if (*e == '.') *e = 0; }
    puts(buf);
}

static int line_no;
static int quiet;
static int eval_line(char *line) {
    line_no++;
    char *s = line; while (*s == ' ' || *s == '\t') s++;
    if (*s == 0 || *s == '#') return 0;
    err = 0; char *eq = strchr(s, '='); char name[32] = "";
    if (eq) {
        int n = 0; char *q = s;
        while (q < eq && *q != ' ' && *q != '\t' && n < 31) name[n++] = *q++;
        name[n] = 0;
        while (q < eq && (*q == ' ' || *q == '\t')) q++;
        int valid = n > 0 && q == eq && !(name[0] >= '0' && name[0] <= '9');
        for (int i = 0; i < n; i++) if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '_')) valid = 0;
        if (!valid) { fprintf(stderr, "%s: line %d: invalid assignment\n", prog, line_no); return 1; }
        p = eq + 1;
    } else p = s;
    double v = expr(); skip();
    if (!err && *p) { char msg[40]; snprintf(msg, sizeof msg, "unexpected '%c'", *p); fail(msg); }
    if (!err && !is_finite(v)) fail("result is not a finite number");
    if (err) { fprintf(stderr, "%s: line %d: %s\n", prog, line_no, errmsg); return 1; }
    if (eq) {
        int i = 0; while (i < nvars && strcmp(vars[i].name, name)) i++;
        if (i == nvars) { if (nvars == 64) { fprintf(stderr, "%s: line %d: too many variables\n", prog, line_no); return 1; } nvars++; }
        strcpy(vars[i].name, name); vars[i].value = v;
        if (quiet) return 0;
        printf("%s = ", name);
    }
    print_value(v);
    return 0;
}

int main(int argc, char **argv) {
    static struct option longs[] = {
        {"expression", required_argument, 0, 'e'}, {"precision", required_argument, 0, 'p'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    int opt, status = 0; const char *expression = NULL;
    prog = argv[0];
    while ((opt = getopt_long(argc, argv, "e:p:q", longs, NULL)) != -1) {
        switch (opt) {
        case 'e': expression = optarg; break;
        case 'p': {
            char *end; long v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || v < 0 || v > 15) { fprintf(stderr, "%s: invalid precision '%s' (0 to 15)\n", prog, optarg); return 2; }
            precision = (int)v; break;
        }
        case 'q': quiet = 1; break;
        case 'h': usage(0); break;
        case 'V': printf("cfcalc 4.2\n"); return 0;
        default: usage(2);
        }
    }
    if (expression) {
        if (optind < argc) { fprintf(stderr, "%s: extra operand '%s'\n", prog, argv[optind]); usage(2); }
        char *copy = strdup(expression);
        status = eval_line(copy); free(copy);
        return status;
    }
    if (argc - optind > 1) { fprintf(stderr, "%s: extra operand '%s'\n", prog, argv[optind + 1]); usage(2); }
    FILE *f = stdin;
    if (optind < argc && strcmp(argv[optind], "-")) {
        f = fopen(argv[optind], "rb");
        if (!f) { fprintf(stderr, "%s: %s: No such file or directory\n", prog, argv[optind]); return 2; }
    }
    char *line = NULL; size_t cap = 0; ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n') line[n - 1] = 0;
        if (eval_line(line)) status = 1;
    }
    free(line);
    return status;
}
