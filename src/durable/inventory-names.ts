/** InventoryDO names: one object per product and day (the Worker's client and the objects themselves address them alike). */
export function inventoryName(productId: string, day: string): string {
  return `${productId}:${day}`;
}
