/**
 * Makes `@techstark/opencv-js` 4.12.0-release.1 run under the app's CSP (`script-src 'self'
 * 'wasm-unsafe-eval'`, no `'unsafe-eval'`). Its Emscripten glue builds embind's invokers with
 * `new Function` (a build made without `-s DYNAMIC_EXECUTION=0`) and fetches its embedded wasm
 * from a `data:` URL, which `connect-src 'self'` refuses. This swaps those five functions for the
 * closure-based ones Emscripten itself emits with DYNAMIC_EXECUTION=0, and decodes the data URL
 * directly. Applied to the file's text when it is bundled (electron.vite.config.ts) and when it
 * is loaded in Node (scripts/lib/opencv-node.ts), so both run the same glue; each replacement
 * must match exactly once, so a different opencv.js fails loudly here instead of in the app.
 */

/** The version the patch was written against (package.json pins it). */
export const OPENCV_JS_VERSION = '4.12.0-release.1';

interface Replacement {
  name: string;
  /** Where the function starts, as it appears in the minified glue. */
  start: string;
  /** Its closure-based stand-in. */
  replacement: string;
}

const createNamedFunction =
  'function createNamedFunction(name,body){return function(){"use strict";return body.apply(this,arguments)}}';

// Nested in embind__requireFunction: `rawFunction` comes from there.
const makeDynCaller =
  'function makeDynCaller(dynCall){return function(){var a=[rawFunction];for(var i=0;i<arguments.length;i++)a.push(arguments[i]);return dynCall.apply(null,a)}}';

const craftInvokerFunction = `function craftInvokerFunction(humanName,argTypes,classType,cppInvokerFunc,cppTargetFunc){
var argCount=argTypes.length;
if(argCount<2){throwBindingError("argTypes array size mismatch! Must at least get return value and 'this' types!")}
var isClassMethodFunc=argTypes[1]!==null&&classType!==null;
var needsDestructorStack=false;
for(var i=1;i<argTypes.length;++i){if(argTypes[i]!==null&&argTypes[i].destructorFunction===undefined){needsDestructorStack=true;break}}
var returns=argTypes[0].name!=="void";
var expected=argCount-2;
return function(){
if(arguments.length!==expected){throwBindingError("function "+humanName+" called with "+arguments.length+" arguments, expected "+expected+" args!")}
var destructors=needsDestructorStack?[]:null;
var wired=[cppTargetFunc];
var thisWired;
if(isClassMethodFunc){thisWired=argTypes[1].toWireType(destructors,this);wired.push(thisWired)}
for(var i=0;i<expected;++i){wired.push(argTypes[i+2].toWireType(destructors,arguments[i]))}
var rv=cppInvokerFunc.apply(null,wired);
if(needsDestructorStack){runDestructors(destructors)}else{
for(var j=isClassMethodFunc?1:2;j<argTypes.length;++j){
if(argTypes[j].destructorFunction!==null){argTypes[j].destructorFunction(j===1?thisWired:wired[j-(isClassMethodFunc?0:1)])}}}
if(returns){return argTypes[0].fromWireType(rv)}
}}`;

const emvalGetMethodCaller = `function __emval_get_method_caller(argCount,argTypes){
var types=__emval_lookupTypes(argCount,argTypes);var retType=types[0];
return __emval_addMethodCaller(function(handle,name,destructors,args){
var offset=0;var argv=[];
for(var i=0;i<argCount-1;++i){argv.push(types[1+i].readValueFromPointer(args+offset));offset+=types[1+i]["argPackAdvance"]}
var rv=handle[name].apply(handle,argv);
for(var i=0;i<argCount-1;++i){if(types[1+i]["deleteObject"]){types[1+i].deleteObject(argv[i])}}
if(!retType.isVoid){return retType.toWireType(destructors,rv)}
})}`;

// The embedded wasm is a data: URL; decode it in place rather than fetch it (CSP connect-src).
const getBinaryPromise =
  'function getBinaryPromise(){return new Promise(function(resolve){resolve(getBinary())})}';

const REPLACEMENTS: readonly Replacement[] = [
  { name: 'createNamedFunction', start: 'function createNamedFunction(name,body){', replacement: createNamedFunction },
  { name: 'makeDynCaller', start: 'function makeDynCaller(dynCall){', replacement: makeDynCaller },
  {
    name: 'craftInvokerFunction',
    start: 'function craftInvokerFunction(humanName,argTypes,classType,cppInvokerFunc,cppTargetFunc){',
    replacement: craftInvokerFunction,
  },
  { name: '__emval_get_method_caller', start: 'function __emval_get_method_caller(argCount,argTypes){', replacement: emvalGetMethodCaller },
  { name: 'getBinaryPromise', start: 'function getBinaryPromise(){', replacement: getBinaryPromise },
];

/** Index just past the `}` that closes the `{` at `open`, skipping braces inside string literals. */
export function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  throw new Error('unbalanced braces');
}

function occurrences(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) n++;
  return n;
}

/** The glue with every string-to-code call replaced; throws if the text is not the expected build. */
export function patchOpenCvForCsp(source: string): string {
  let text = source;
  for (const { name, start, replacement } of REPLACEMENTS) {
    const count = occurrences(text, start);
    if (count !== 1) throw new Error(`opencv.js CSP patch: ${name} found ${count} times (expected once; is it ${OPENCV_JS_VERSION}?)`);
    const from = text.indexOf(start);
    const to = closingBrace(text, from + start.length - 1);
    text = text.slice(0, from) + replacement + text.slice(to);
  }
  const left = ['new Function', 'new_(Function', 'eval('].filter((needle) => text.includes(needle));
  if (left.length > 0) throw new Error(`opencv.js CSP patch: still calls ${left.join(', ')}`);
  return text;
}

/** Bundler hook: is this module id the opencv.js file? */
export function isOpenCvModule(id: string): boolean {
  return /[\\/]@techstark[\\/]opencv-js[\\/]dist[\\/]opencv\.js(\?.*)?$/.test(id);
}
