// What an order is called on the portal's pages (the worklist's scheduled cards, the
// patient page): the requested procedure's text, else the step's, else its code.
export const ORDER_PROCEDURE_FIELDS = { requestedProcedureText: true, stepDescription: true, requestedProcedureCode: true } as const;

export function procedureOf(order: { requestedProcedureText: string; stepDescription: string; requestedProcedureCode: string }): string {
  return order.requestedProcedureText || order.stepDescription || order.requestedProcedureCode;
}
