/**
 * How every Propensity node reports a failure: a NodeOperationError for the item, carrying the
 * core's message as it is (it already names the input, the place and the fix), or under
 * "Continue On Fail" an error item paired to the input item. Never a stack or a password.
 */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type IPairedItemData } from 'n8n-workflow';
import { CancelledError, InputError, PropensityError } from '../../../core';

/**
 * The message to show: the error's own message, without its stack. The core already keeps
 * passwords out of its messages (core/util/postgres.ts redacts what the driver says).
 */
export function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
}

/** The stable code of a core error (e.g. `goal-data-mismatch`), when there is one. */
export function codeOf(error: unknown): string | undefined {
	return error instanceof PropensityError ? error.code : undefined;
}

/**
 * The n8n error for a failure while working on `itemIndex`: a NodeOperationError with the core's
 * message. Bad input and cancellation are warnings (the user can fix or rerun); anything else is an error.
 */
export function nodeErrorOf(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeOperationError {
	if (error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	const level = error instanceof InputError || error instanceof CancelledError ? 'warning' : 'error';
	return new NodeOperationError(ctx.getNode(), messageOf(error), { itemIndex, level });
}

/** The output item that stands for a failed input item under "Continue On Fail". */
export function errorItem(error: unknown, pairedItem: IPairedItemData | IPairedItemData[]): INodeExecutionData {
	const code = codeOf(error);
	return { json: { error: messageOf(error), ...(code ? { errorCode: code } : {}) }, pairedItem };
}

/** Every input item as a pairing, for an output item made from all of them. */
export function pairedWithAll(items: readonly INodeExecutionData[]): IPairedItemData[] {
	return items.map((_, item) => ({ item }));
}

/**
 * Runs `work` on each input item in turn and gathers what it returns: one output item, or several
 * paired to that item. A failure stops the node with the item's index, or under "Continue On
 * Fail" becomes an error item paired to it, and the next item is worked on.
 */
export async function perItem(
	ctx: IExecuteFunctions,
	work: (item: INodeExecutionData, itemIndex: number) => Promise<INodeExecutionData | INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const returnData: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const output = await work(items[itemIndex], itemIndex);
			if (Array.isArray(output)) returnData.push(...output);
			else returnData.push(output);
		} catch (error) {
			if (!ctx.continueOnFail()) throw nodeErrorOf(ctx, error, itemIndex);
			returnData.push(errorItem(error, { item: itemIndex }));
		}
	}
	return returnData;
}

/**
 * Runs `work` once for all the input items (a table made of them): an error fails the node, or
 * with Continue On Fail gives one error item paired with every input item.
 */
export async function allItems(ctx: IExecuteFunctions, work: (items: INodeExecutionData[]) => Promise<INodeExecutionData[]>): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	try {
		return await work(items);
	} catch (error) {
		if (!ctx.continueOnFail()) throw nodeErrorOf(ctx, error, 0);
		return [
			errorItem(
				error,
				items.map((_, item) => ({ item })),
			),
		];
	}
}
