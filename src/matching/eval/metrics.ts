/**
 * Ranking metrics over graded judgments (TREC qrels). Gains are exponential (2^grade - 1),
 * the usual choice for graded relevance; P@k and MAP count grade >= 1 as relevant.
 */
export type Grades = Map<string, number>;

export function dcg(gains: number[]): number {
  return gains.reduce((s, g, i) => s + (Math.pow(2, g) - 1) / Math.log2(i + 2), 0);
}

export function ndcgAt(ranked: string[], grades: Grades, k: number): number {
  const got = ranked.slice(0, k).map((id) => grades.get(id) ?? 0);
  const ideal = [...grades.values()].sort((a, b) => b - a).slice(0, k);
  const idcg = dcg(ideal);
  return idcg === 0 ? 0 : dcg(got) / idcg;
}

export function precisionAt(ranked: string[], grades: Grades, k: number, minGrade = 1): number {
  return ranked.slice(0, k).filter((id) => (grades.get(id) ?? 0) >= minGrade).length / k;
}

/** Share of the notices graded >= minGrade that appear in the top k. */
export function recallAt(ranked: string[], grades: Grades, k: number, minGrade = 2): number {
  const relevant = [...grades.entries()].filter(([, g]) => g >= minGrade).map(([id]) => id);
  if (relevant.length === 0) return 1;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

export function averagePrecision(ranked: string[], grades: Grades, minGrade = 1): number {
  const total = [...grades.values()].filter((g) => g >= minGrade).length;
  if (total === 0) return 0;
  let hits = 0;
  let sum = 0;
  ranked.forEach((id, i) => {
    if ((grades.get(id) ?? 0) >= minGrade) {
      hits++;
      sum += hits / (i + 1);
    }
  });
  return sum / total;
}

export interface Metrics {
  ndcg10: number;
  p5: number;
  recall20: number;
  map: number;
}

export function evaluateRanking(ranked: string[], grades: Grades, k = 10): Metrics {
  return {
    ndcg10: ndcgAt(ranked, grades, k),
    p5: precisionAt(ranked, grades, 5),
    recall20: recallAt(ranked, grades, 20),
    map: averagePrecision(ranked, grades),
  };
}

export function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}
