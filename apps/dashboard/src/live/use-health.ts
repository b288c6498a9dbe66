'use client';

import { healthOf, type Health } from '@trellis/contracts';
import { useContext } from 'react';
import { HealthThresholdsContext } from './dashboard-providers';

/** Health by this dashboard's thresholds, from a success rate (null: no traffic, idle). */
export function useHealthOf(): (successRate: number | null) => Health {
  const thresholds = useContext(HealthThresholdsContext);
  return (successRate) => healthOf(successRate, thresholds);
}
