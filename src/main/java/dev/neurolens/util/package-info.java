/**
 * Small pieces every stage may use: the user-error exception, JSON helpers, progress reporting.
 * This package imports no other NeuroLens package.
 */
package dev.neurolens.util;
