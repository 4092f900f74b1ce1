// An esbuild plugin for the Lambda bundle: the property contract (the sections in lambda/contract/, each backend's
// contract.ts and attributes.ts — and Service Connect's rollout.ts, proxy.ts and ingress.ts, contract sections with
// their attributes — and the registry lambda/backends.ts) is the single source of truth for parsing and
// for the docs, JSON Schema and construct props generated from it; the handler needs its types, rules and messages,
// never its prose. The plugin drops, as those files enter the bundle:
// - the documentation-only fields (description, notes, defaultDoc), the update behaviour of each property (update:
//   its docs and the generated schema say whether a change replaces) and each attribute's presentWhen;
// - in the contract's language (lambda/contract/dsl.ts), the methods only the generators call: docType,
//   constraintsDoc, jsonSchema, tsType and a structure's definition.
// So the docs text and the generators stay out of the deployed code without splitting the contract in two. Nothing at
// run time reads them (test/handler/bundle.test.ts checks that the bundle parses and refuses exactly as the source
// does, section by section and backend by backend).
import { readFile } from 'node:fs/promises';
import ts from 'typescript5';

/** The fields that only the generators read. */
export const DOC_FIELDS = new Set(['description', 'notes', 'defaultDoc', 'presentWhen']);
/** The update behaviour of a property: 'in-place', 'replacement' or { conditional: '<words>' }, for the docs. */
const UPDATE_FIELD = 'update';
/** The DSL's methods that render a type for the docs, the JSON Schema and the construct props. */
export const GENERATOR_METHODS = new Set(['docType', 'constraintsDoc', 'jsonSchema', 'tsType', 'definition']);

const CONTRACT_FILES =
  /[\\/]lambda[\\/](?:contract[\\/][a-z-]+|[a-z]+[\\/](?:contract|attributes|rollout|proxy|ingress)|backends)\.ts$/;
/** The contract's language, not a part of it: its own code handles descriptions as values. */
const DSL = /[\\/]lambda[\\/]contract[\\/]dsl\.ts$/;

/** The span of a property assignment with the comma after it, so that the object stays well formed. */
function withComma(source, file, node) {
  const end = node.getEnd();
  const comma = /^\s*,/.exec(source.slice(end));
  return [node.getStart(file), end + (comma ? comma[0].length : 0)];
}

const isUpdateBehaviour = (node) =>
  isText(node) ||
  (ts.isObjectLiteralExpression(node) &&
    node.properties.every(
      (p) =>
        ts.isPropertyAssignment(p) &&
        ts.isIdentifier(p.name) &&
        p.name.text === 'conditional' &&
        isText(p.initializer),
    ));

/** The source without its documentation fields and update behaviours (everything else unchanged). */
export function stripDocs(source, fileName = 'contract.ts') {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const spans = [];
  const visit = (node) => {
    if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) {
      const name = node.name.text;
      if (
        (DOC_FIELDS.has(name) && isText(node.initializer)) ||
        (name === UPDATE_FIELD && isUpdateBehaviour(node.initializer))
      ) {
        spans.push(withComma(source, file, node));
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { contents: cut(source, spans), stripped: spans.length };
}

/** The contract's language without the methods only the generators call (their abstract declarations stay). */
export function stripGenerators(source, fileName = 'dsl.ts') {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const spans = [];
  const visit = (node) => {
    if (
      ts.isMethodDeclaration(node) &&
      node.body &&
      ts.isIdentifier(node.name) &&
      GENERATOR_METHODS.has(node.name.text)
    ) {
      spans.push([node.getStart(file), node.getEnd()]);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { contents: cut(source, spans), stripped: spans.length };
}

function cut(source, spans) {
  let out = source;
  for (const [start, end] of spans.sort((a, b) => b[0] - a[0]))
    out = `${out.slice(0, start)}${out.slice(end)}`;
  return out;
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
    build.onLoad({ filter: CONTRACT_FILES }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const { contents } = DSL.test(args.path)
        ? stripGenerators(source, args.path)
        : stripDocs(source, args.path);
      return { contents, loader: 'ts' };
    });
  },
};
