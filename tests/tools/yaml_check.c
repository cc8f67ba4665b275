/*
 * yaml_check.c - parses every document of each YAML file named on the command line with
 * libyaml and reports the first error with its line and column; exits 1 if any file fails.
 * For tests/e2e/examples.sh (the deployment examples must at least be valid YAML).
 */
#include <stdio.h>
#include <yaml.h>

static int check(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_file(&p, f);
    int docs = 0, rc = 0;
    for (;;) {
        yaml_document_t d;
        if (!yaml_parser_load(&p, &d)) {
            fprintf(stderr, "%s:%zu:%zu: %s\n", path, p.problem_mark.line + 1,
                    p.problem_mark.column + 1, p.problem ? p.problem : "YAML error");
            rc = 1;
            break;
        }
        int empty = yaml_document_get_root_node(&d) == NULL;
        yaml_document_delete(&d);
        if (empty) {
            break;
        }
        docs++;
    }
    yaml_parser_delete(&p);
    fclose(f);
    if (rc == 0) {
        printf("%s: %d document%s\n", path, docs, docs == 1 ? "" : "s");
    }
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        rc |= check(argv[i]);
    }
    return rc;
}
