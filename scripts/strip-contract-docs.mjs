// An esbuild plugin for the Lambda bundle: the property contract (the sections in lambda/contract/, each backend's
// contract.ts and attributes.ts — and Service Connect's rollout.ts and proxy.ts, contract sections with their
// attributes — and the registry lambda/backends.ts) is the single source of truth for parsing and
// for the docs, JSON Schema and construct props generated from it; the handler needs its types, rules and messages,
// never its prose. The plugin blanks the documentation-only fields (description, notes, defaultDoc) of those files
// as they enter the bundle, so the docs text stays out of the deployed code without splitting the contract in two.
// Nothing at run time reads those fields (the bundle test checks that the bundle parses and refuses exactly as the
// source does).
import { readFile } from 'node:fs/promises';
import ts from 'typescript';

/** The fields that only the generators read. */
export const DOC_FIELDS = new Set(['description', 'notes', 'defaultDoc']);

const CONTRACT_FILES =
  /[\\/]lambda[\\/](?:contract[\\/][a-z-]+|[a-z]+[\\/](?:contract|attributes|rollout|proxy)|backends)\.ts$/;
/** The contract's language, not a part of it: its own code handles descriptions as values. */
const DSL = /[\\/]lambda[\\/]contract[\\/]dsl\.ts$/;

/** The source with every documentation field's value replaced by '' (positions of everything else unchanged). */
export function stripDocs(source, fileName = 'contract.ts') {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const spans = [];
  const visit = (node) => {
    if (
      ts.isPropertyAssignment(node) &&
      (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) &&
      DOC_FIELDS.has(node.name.text) &&
      isText(node.initializer)
    ) {
      spans.push([node.initializer.getStart(file), node.initializer.getEnd()]);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = source;
  for (const [start, end] of spans.sort((a, b) => b[0] - a[0]))
    out = `${out.slice(0, start)}''${out.slice(end)}`;
  return { contents: out, stripped: spans.length };
}

/** A string literal, a template or a concatenation of them: prose, never an expression with effects. */
function isText(node) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return true;
  if (ts.isTemplateExpression(node))
    return node.templateSpans.every((s) => isText(s.expression) || isName(s.expression));
  if (ts.isParenthesizedExpression(node)) return isText(node.expression);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken)
    return isText(node.left) && isText(node.right);
  return false;
}

const isName = (node) => ts.isIdentifier(node) || ts.isPropertyAccessExpression(node);

export const stripContractDocs = {
  name: 'strip-contract-docs',
  setup(build) {
    build.onLoad({ filter: CONTRACT_FILES }, async (args) =>
      DSL.test(args.path)
        ? undefined
        : { contents: stripDocs(await readFile(args.path, 'utf8'), args.path).contents, loader: 'ts' },
    );
  },
};
