// How a frontend uses the generated types (type-checked by `npm run typecheck`, a test runs it).
import type { components, paths } from "./qaward";

type Application = components["schemas"]["ApplicationOut"];
type EventAnswer =
  paths["/api/v1/applications/{application_id}/events"]["post"]["responses"]["200"]["content"]["application/json"];
type Catalogue = components["schemas"]["EventCatalogueOut"];

// an event's answer is an application with the buttons to draw next
export function buttons(answer: EventAnswer): string[] {
  return answer.allowed_events ?? [];
}

export function label(catalogue: Catalogue, code: string): string {
  return catalogue.events.find((e) => e.code === code)?.name_zh ?? code;
}

export function deadlinesOf(app: Application): string[] {
  return (app.deadlines ?? []).map((d) => `${d.kind}: ${d.ends_at}`);
}
