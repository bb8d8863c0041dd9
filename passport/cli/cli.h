/* SPDX-License-Identifier: EUPL-1.2 */
/* Entry points of the `passport` sub-commands. Each takes the arguments after the
 * sub-command name (argv[0] is the sub-command) and returns the process exit status. */
#ifndef PASSPORT_CLI_CLI_H
#define PASSPORT_CLI_CLI_H

/* The release (semantic versioning, CHANGELOG.md): `passport --version`, the start-up line. */
#define PASSPORT_VERSION "0.2.0"

int cli_canon(int argc, char **argv);
int cli_vc_demo(int argc, char **argv);
int cli_keys(int argc, char **argv);
int cli_verify(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_import_users(int argc, char **argv);
int cli_import_framework(int argc, char **argv);
int cli_check_courses(int argc, char **argv);
int cli_publish_courses(int argc, char **argv);
int cli_calibrate(int argc, char **argv);
int cli_seed(int argc, char **argv);
int cli_seed_paths(int argc, char **argv);
int cli_routes(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_restore(int argc, char **argv);
int cli_migrate(int argc, char **argv);

#endif
