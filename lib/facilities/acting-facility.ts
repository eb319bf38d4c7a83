// The facility a person acts for. Someone who belongs to several facilities
// chooses it in the header (set-acting-facility.ts stores the choice on their
// session); their portal actions are recorded under it and their uploads go
// into it when their role there may store (lib/policy/store-facility.ts).

/**
 * The stored choice when it is still one of the person's (enabled)
 * facilities, else their first membership: a facility disabled or left since
 * the choice falls back by itself, on the next request.
 */
export function chooseActingFacility(memberFacilityIds: readonly string[], chosen: string | null): string | null {
  if (chosen && memberFacilityIds.includes(chosen)) return chosen;
  return memberFacilityIds[0] ?? null;
}

/** The facility a signed-in person acts for (null: a guest, or no enabled membership). */
export function actingFacilityFor(session: { actingFacilityId: string | null }): string | null {
  return session.actingFacilityId;
}
