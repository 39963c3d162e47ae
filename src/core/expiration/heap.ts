/** A binary min-heap of (due, id): the expiration manager's schedule. Stale items are skipped by the caller. */
export interface HeapItem {
  due: number;
  id: string;
}

export class MinHeap {
  #a: HeapItem[] = [];

  /** Builds a heap from items in O(n). */
  static from(items: HeapItem[]): MinHeap {
    const h = new MinHeap();
    h.#a = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) h.#down(i);
    return h;
  }
  get size(): number {
    return this.#a.length;
  }
  peek(): HeapItem | undefined {
    return this.#a[0];
  }
  push(item: HeapItem): void {
    this.#a.push(item);
    this.#up(this.#a.length - 1);
  }
  pop(): HeapItem | undefined {
    const a = this.#a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      this.#down(0);
    }
    return top;
  }
  #up(i: number): void {
    const a = this.#a;
    const item = a[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]!.due <= item.due) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = item;
  }
  #down(i: number): void {
    const a = this.#a;
    const n = a.length;
    const item = a[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && a[child + 1]!.due < a[child]!.due) child++;
      if (a[child]!.due >= item.due) break;
      a[i] = a[child]!;
      i = child;
    }
    a[i] = item;
  }
}
