import { loadGiteaSwagger, type SwaggerOperation } from "./swagger-document.js";

/**
 * Path templates of Gitea's description, matched the way Gitea's router (chi) matches its routes:
 * a literal segment beats `{index}.{diffType}`, which beats a parameter, which beats a trailing
 * wildcard. Swagger cannot say that a parameter spans slashes; Gitea registers these routes with
 * `*` (`/raw/*`, `/branches/*`, `/compare/*`, …), so the names below do when they end the path.
 */
const MULTI_SEGMENT_PARAMS = new Set(["filepath", "branch", "basehead", "ref", "tag", "head", "archive"]);

const LITERAL = 3;
const MIXED = 2;
const PARAM = 1;
const MULTI_SEGMENT = 0;

const HTTP_METHODS = new Set(["get", "put", "post", "patch", "delete", "head", "options"]);

interface Route {
  template: string;
  regex: RegExp;
  paramNames: string[];
  multiSegment: boolean[];
  specificity: number[];
  operations: Map<string, SwaggerOperation>;
}

export interface RouteMatch {
  template: string;
  operation: SwaggerOperation;
  /** Decoded path parameters. */
  params: Record<string, string>;
}

export interface MatchOutcome {
  match: RouteMatch | null;
  problems: string[];
}

let cachedRoutes: Route[] | undefined;

function routes(): Route[] {
  cachedRoutes ??= Object.entries(loadGiteaSwagger().paths).map(([template, item]) => buildRoute(template, item));
  return cachedRoutes;
}

function buildRoute(template: string, item: Record<string, SwaggerOperation>): Route {
  const operations = new Map<string, SwaggerOperation>();
  for (const [method, operation] of Object.entries(item)) if (HTTP_METHODS.has(method)) operations.set(method.toUpperCase(), operation);
  const segments = template.split("/").slice(1);
  const paramNames: string[] = [];
  const multiSegment: boolean[] = [];
  const specificity: number[] = [];
  const pattern = segments.map((segment, index) => {
    const whole = /^\{([^}]+)\}$/.exec(segment)?.[1];
    if (whole !== undefined) {
      const multi = index === segments.length - 1 && MULTI_SEGMENT_PARAMS.has(whole);
      paramNames.push(whole);
      multiSegment.push(multi);
      specificity.push(multi ? MULTI_SEGMENT : PARAM);
      return multi ? "(.+)" : "([^/]+)";
    }
    if (!segment.includes("{")) {
      specificity.push(LITERAL);
      return escapeRegex(segment);
    }
    specificity.push(MIXED);
    return segment
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const name = /^\{([^}]+)\}$/.exec(part)?.[1];
        if (name === undefined) return escapeRegex(part);
        paramNames.push(name);
        multiSegment.push(false);
        return "([^/]+?)";
      })
      .join("");
  });
  return { template, regex: new RegExp(`^/${pattern.join("/")}$`), paramNames, multiSegment, specificity, operations };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Segment by segment, the more specific route first; a longer route wins a tie. */
function compareRoutes(a: Route, b: Route): number {
  const length = Math.min(a.specificity.length, b.specificity.length);
  for (let index = 0; index < length; index++) {
    const difference = (b.specificity[index] ?? 0) - (a.specificity[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return b.specificity.length - a.specificity.length;
}

/** The operation a request reaches: `path` is without `/api/v1` and without the query string. */
export function findOperation(method: string, path: string): MatchOutcome {
  const upperMethod = method.toUpperCase();
  const pathname = path.split("?")[0] ?? path;
  const candidates = routes().filter((route) => route.regex.test(pathname));
  if (candidates.length === 0) return { match: null, problems: [`no Gitea operation has the path ${pathname}`] };
  const best = candidates.filter((route) => route.operations.has(upperMethod)).sort(compareRoutes)[0];
  if (best === undefined) {
    const allowed = [...new Set(candidates.flatMap((route) => [...route.operations.keys()]))].join(", ");
    return { match: null, problems: [`no ${upperMethod} operation for ${pathname} (the path takes ${allowed})`] };
  }
  const { params, problems } = extractParams(best, pathname);
  return { match: { template: best.template, operation: best.operations.get(upperMethod) as SwaggerOperation, params }, problems };
}

function extractParams(route: Route, pathname: string): { params: Record<string, string>; problems: string[] } {
  const values = route.regex.exec(pathname)?.slice(1) ?? [];
  const params: Record<string, string> = {};
  const problems: string[] = [];
  route.paramNames.forEach((name, index) => {
    const raw = values[index] ?? "";
    try {
      params[name] = route.multiSegment[index] === true ? raw.split("/").map(decodeURIComponent).join("/") : decodeURIComponent(raw);
    } catch {
      params[name] = raw;
      problems.push(`path parameter ${name} is not valid percent-encoding: ${raw}`);
    }
  });
  return { params, problems };
}
