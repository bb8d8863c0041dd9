/* The SQL of each domain's migrations, one file per domain so that areas evolve apart.
 * Each is a sequence of statements run in one transaction by migrations_apply. */
#ifndef PASSPORT_STORE_SCHEMA_H
#define PASSPORT_STORE_SCHEMA_H

/* Migration 2: frameworks, competencies, levels, mapping, evidence. */
#define SCHEMA_SKILLS schema_skills
extern const char schema_skills[];
/* Migration 3: courses, modules, module competencies, attempts, progress, search. */
#define SCHEMA_LEARN schema_learn
extern const char schema_learn[];

#endif
