/**
 * Every export of `src/index.ts` sits in one of the API reference's categories (`@category` in its doc
 * comment, one of `categoryOrder` in typedoc.json), so that the reference groups it by topic rather than
 * under "Other".
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface TypedocConfig {
  readonly categoryOrder: readonly string[];
}

/** Each export's name with the `@category` tags of every declaration it stands for. */
function exportCategories(): Map<string, string[]> {
  const program = ts.createProgram([`${root}src/index.ts`], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(`${root}src/index.ts`);
  const moduleSymbol = index === undefined ? undefined : checker.getSymbolAtLocation(index);
  if (moduleSymbol === undefined) throw new Error('src/index.ts did not load');
  const result = new Map<string, string[]>();
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol =
      (exported.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(exported) : exported;
    const tags = (symbol.declarations ?? []).map(
      (declaration) =>
        ts
          .getJSDocTags(declaration)
          .find((tag) => tag.tagName.text === 'category')
          ?.comment?.toString()
          .trim() ?? '',
    );
    result.set(exported.name, tags);
  }
  return result;
}

describe('API reference categories', () => {
  const config = JSON.parse(readFileSync(`${root}typedoc.json`, 'utf8')) as TypedocConfig;
  const categories = exportCategories();

  it('finds the exports', () => {
    expect(categories.size).toBeGreaterThan(80);
  });

  it('tags every declaration of every export with a category of categoryOrder', () => {
    const known = new Set(config.categoryOrder);
    const wrong = [...categories]
      .filter(([, tags]) => tags.length === 0 || tags.some((tag) => !known.has(tag)))
      .map(([name, tags]) => `${name}: ${tags.map((tag) => tag || '(none)').join(', ')}`);
    expect(wrong).toEqual([]);
  });
});
